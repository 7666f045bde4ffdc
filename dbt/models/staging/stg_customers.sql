-- Every customer record, trimmed and typed where valid, with the first quarantine reason that applies.
with

source as (

    select * from {{ source('raw', 'customers') }}

),

trimmed as (

    select
        source_row,
        field_count <> header_field_count as is_malformed,
        {{ raw_or_empty('customer_id') }} as raw_customer_id,
        {{ raw_or_empty('name') }} as raw_name,
        {{ raw_or_empty('has_loan') }} as raw_has_loan,
        {{ trim_whitespace(raw_or_empty('customer_id')) }} as customer_id_text,
        {{ trim_whitespace(raw_or_empty('name')) }} as name_text,
        {{ ascii_lower(trim_whitespace(raw_or_empty('has_loan'))) }} as has_loan_text
    from source

),

typed as (

    select
        *,
        -- Only a well-formed record can claim an id (rules 1-3 of docs/pipeline-rules.md).
        case when not is_malformed then {{ positive_integer_or_null('customer_id_text') }} end
            as customer_id
    from trimmed

),

ranked as (

    select
        *,
        case
            when customer_id is not null
            then row_number() over (partition by customer_id order by source_row)
        end as id_occurrence
    from typed

)

select
    source_row,
    raw_customer_id,
    raw_name,
    raw_has_loan,
    customer_id,
    {{ collapse_whitespace('name_text') }} as customer_name,
    has_loan_text in ('yes', 'y', 'true', '1') as has_loan,
    case
        when is_malformed then 'malformed_row'
        when customer_id_text = '' then 'missing_customer_id'
        when customer_id is null then 'invalid_customer_id'
        when id_occurrence > 1 then 'duplicate_customer_id'
        when name_text = '' then 'missing_name'
        when has_loan_text not in ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0')
            then 'invalid_has_loan'
    end as quarantine_reason
from ranked
