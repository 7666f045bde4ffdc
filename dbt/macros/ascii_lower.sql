{#- ASCII-only case mapping: upper()/lower() are Unicode-aware on DuckDB and Spark. -#}
{% macro ascii_lower(expr) -%}
  {{ return(adapter.dispatch('ascii_lower', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__ascii_lower(expr) -%}
  translate({{ expr }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}

{#- DuckDB's translate() costs about five times its lower(), which maps ASCII text the same way:
    lower() wherever the text is ASCII (as many bytes as characters), translate() elsewhere. -#}
{% macro duckdb__ascii_lower(expr) -%}
  case when strlen({{ expr }}) = length({{ expr }}) then lower({{ expr }}) else {{ default__ascii_lower(expr) }} end
{%- endmacro %}
