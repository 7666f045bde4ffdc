{#- A column type of docs/pipeline-rules.md, named once for every model and both engines. -#}
{% macro rate_type() -%} decimal(6, 4) {%- endmacro %}
