{#- Each inner run of whitespace becomes one space. -#}
{% macro collapse_whitespace(expr) -%}
  {{ return(adapter.dispatch('collapse_whitespace', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__collapse_whitespace(expr) -%}
  regexp_replace({{ expr }}, '[ \t\r\n]+', ' ', 'g')
{%- endmacro %}

{% macro spark__collapse_whitespace(expr) -%}
  regexp_replace({{ expr }}, '[ \\t\\r\\n]+', ' ')
{%- endmacro %}
