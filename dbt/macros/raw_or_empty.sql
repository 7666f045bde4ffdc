{#- A raw value as the quarantine shows it: exactly as in the file, empty where a malformed row lacks it. -#}
{% macro raw_or_empty(column) -%}
  coalesce({{ column }}, '')
{%- endmacro %}
