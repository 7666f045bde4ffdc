{#- ASCII-only case mapping: upper()/lower() are Unicode-aware on DuckDB and Spark. -#}
{% macro ascii_lower(expr) -%}
  translate({{ expr }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}
