{#- The upper-case twin of ascii_lower (see there). -#}
{% macro ascii_upper(expr) -%}
  {{ return(adapter.dispatch('ascii_upper', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__ascii_upper(expr) -%}
  translate({{ expr }}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
{%- endmacro %}

{% macro duckdb__ascii_upper(expr) -%}
  case when strlen({{ expr }}) = length({{ expr }}) then upper({{ expr }}) else {{ default__ascii_upper(expr) }} end
{%- endmacro %}
