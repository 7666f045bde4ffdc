{#- Money rounding: half away from zero, in exact decimal arithmetic (round() on DECIMAL does
    this on DuckDB and on Spark, whose round() is HALF_UP on decimals; an engine that rounds half
    to even needs its own version). -#}
{% macro round_money(expr) -%}
  {{ return(adapter.dispatch('round_money', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__round_money(expr) -%}
  cast(round({{ expr }}, 2) as {{ money_type() }})
{%- endmacro %}
