{#- Wide enough for balance x rate without overflow (DuckDB types 18,2 x 6,4 as 18,6). -#}
{% macro money_product_type() -%} decimal(24, 2) {%- endmacro %}
