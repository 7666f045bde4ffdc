{#- A column type of docs/pipeline-rules.md, named once for every model and both engines. -#}
{% macro money_type() -%} decimal(18, 2) {%- endmacro %}
