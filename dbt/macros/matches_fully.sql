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
