{#-
  Small cross-database helpers. DuckDB is the default engine; the same models must also run on
  Spark (dbt-spark), so everything engine-specific goes through adapter.dispatch here.
-#}

{#- Whitespace per PIPELINE.md is space, tab, CR and LF only (never other Unicode spaces). -#}
{% macro trim_whitespace(expr) -%}
  {{ return(adapter.dispatch('trim_whitespace', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expr) -%}
  trim({{ expr }}, ' ' || chr(9) || chr(13) || chr(10))
{%- endmacro %}

{% macro spark__trim_whitespace(expr) -%}
  regexp_replace({{ expr }}, '^[ \\t\\r\\n]+|[ \\t\\r\\n]+$', '')
{%- endmacro %}


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


{#- True when the whole of expr matches the regular expression. -#}
{% macro matches_fully(expr, pattern) -%}
  {{ return(adapter.dispatch('matches_fully', 'lc_pipeline')(expr, pattern)) }}
{%- endmacro %}

{% macro default__matches_fully(expr, pattern) -%}
  regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_fully(expr, pattern) -%}
  ({{ expr }} rlike '^(?:{{ pattern | replace("\\", "\\\\") }})$')
{%- endmacro %}


{#- ASCII-only case mapping: upper()/lower() are Unicode-aware on DuckDB and Spark. -#}
{% macro ascii_lower(expr) -%}
  translate({{ expr }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}

{% macro ascii_upper(expr) -%}
  translate({{ expr }}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
{%- endmacro %}


{#- Money rounding: half away from zero, in exact decimal arithmetic (round() on DECIMAL does
    this on DuckDB and on Spark; an engine that rounds half to even needs its own version). -#}
{% macro round_money(expr) -%}
  {{ return(adapter.dispatch('round_money', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__round_money(expr) -%}
  cast(round({{ expr }}, 2) as {{ money_type() }})
{%- endmacro %}


{#- The column types of PIPELINE.md, named once. -#}
{% macro money_type() -%} decimal(18, 2) {%- endmacro %}
{% macro money_sum_type() -%} decimal(38, 2) {%- endmacro %}
{% macro rate_type() -%} decimal(6, 4) {%- endmacro %}
{#- Wide enough for balance x rate without overflow (DuckDB types 18,2 x 6,4 as 18,6). -#}
{% macro money_product_type() -%} decimal(24, 2) {%- endmacro %}


{#- A positive integer per PIPELINE.md: 1-18 digits, leading zeros allowed, value above zero. -#}
{% macro positive_integer_or_null(expr) -%}
  case
    when {{ matches_fully(expr, '[0-9]{1,18}') }}
     and {{ dbt.safe_cast(expr, api.Column.translate_type('bigint')) }} > 0
    then {{ dbt.safe_cast(expr, api.Column.translate_type('bigint')) }}
  end
{%- endmacro %}
