{#-
  Small cross-database helpers. DuckDB is the default engine; the same models must also run on
  Spark (dbt-spark), so everything engine-specific goes through adapter.dispatch here.
-#}

{#- Whitespace per docs/pipeline-rules.md is space, tab, CR and LF only (never other Unicode spaces). -#}
{% macro trim_whitespace(expr) -%}
  {{ return(adapter.dispatch('trim_whitespace', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expr) -%}
  trim({{ expr }}, ' ' || chr(9) || chr(13) || chr(10))
{%- endmacro %}

{#- btrim (Spark 3.2+) strips any of the characters given, like DuckDB's trim(s, chars). (A regular
    expression with ^ and $ would not do: Java's $ also matches before a final U+2028 or U+0085.) -#}
{% macro spark__trim_whitespace(expr) -%}
  btrim({{ expr }}, ' ' || chr(9) || chr(13) || chr(10))
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

{#- rlike finds a match anywhere, so the pattern is anchored: \A and \z, the absolute start and
    end (Java's $ would also match before a final line terminator such as U+2028). Spark string
    literals unescape backslashes, hence the doubling. -#}
{% macro spark__matches_fully(expr, pattern) -%}
  ({{ expr }} rlike '\\A(?:{{ pattern | replace("\\", "\\\\") }})\\z')
{%- endmacro %}


{#- ASCII-only case mapping: upper()/lower() are Unicode-aware on DuckDB and Spark. -#}
{% macro ascii_lower(expr) -%}
  translate({{ expr }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}

{% macro ascii_upper(expr) -%}
  translate({{ expr }}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
{%- endmacro %}


{#- Money rounding: half away from zero, in exact decimal arithmetic (round() on DECIMAL does
    this on DuckDB and on Spark, whose round() is HALF_UP on decimals; an engine that rounds half
    to even needs its own version). -#}
{% macro round_money(expr) -%}
  {{ return(adapter.dispatch('round_money', 'lc_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__round_money(expr) -%}
  cast(round({{ expr }}, 2) as {{ money_type() }})
{%- endmacro %}


{#- The column types of docs/pipeline-rules.md, named once. -#}
{% macro money_type() -%} decimal(18, 2) {%- endmacro %}
{% macro money_sum_type() -%} decimal(38, 2) {%- endmacro %}
{% macro rate_type() -%} decimal(6, 4) {%- endmacro %}
{#- Wide enough for balance x rate without overflow (DuckDB types 18,2 x 6,4 as 18,6). -#}
{% macro money_product_type() -%} decimal(24, 2) {%- endmacro %}


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


{#- A positive integer per docs/pipeline-rules.md: 1-18 digits, leading zeros allowed, value above zero. -#}
{% macro positive_integer_or_null(expr) -%}
  case
    when {{ matches_fully(expr, '[0-9]{1,18}') }}
     and {{ guarded_cast(expr, api.Column.translate_type('bigint')) }} > 0
    then {{ guarded_cast(expr, api.Column.translate_type('bigint')) }}
  end
{%- endmacro %}
