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
