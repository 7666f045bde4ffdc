{#- A positive integer per docs/pipeline-rules.md: 1-18 digits, leading zeros allowed, value above zero. -#}
{% macro positive_integer_or_null(expr) -%}
  case
    when {{ matches_fully(expr, '[0-9]{1,18}') }}
     and {{ guarded_cast(expr, api.Column.translate_type('bigint')) }} > 0
    then {{ guarded_cast(expr, api.Column.translate_type('bigint')) }}
  end
{%- endmacro %}
