{#- A cast of text that a regular expression has already validated. On Spark it is try_cast, so
    that a cluster running in ANSI mode (Databricks SQL does) never raises on a row the CASE
    guarding the cast excludes. -#}
{% macro guarded_cast(expr, type) -%}
  {{ return(adapter.dispatch('guarded_cast', 'lc_pipeline')(expr, type)) }}
{%- endmacro %}

{% macro default__guarded_cast(expr, type) -%}
  {{ dbt.safe_cast(expr, type) }}
{%- endmacro %}

{% macro spark__guarded_cast(expr, type) -%}
  try_cast({{ expr }} as {{ type }})
{%- endmacro %}
