{#- A column type of docs/pipeline-rules.md, named once for every model and both engines. -#}
{% macro money_sum_type() -%} decimal(38, 2) {%- endmacro %}
