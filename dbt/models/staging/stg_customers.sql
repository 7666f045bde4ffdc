-- Every customer record, trimmed and typed where valid; int_customers_checked settles its quarantine reason.
with

source as (

    select * from {{ source('raw', 'customers') }}

),

trimmed as (

    select
        source_row,
        field_count <> header_field_count as is_malformed,
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
    is_malformed,
    customer_id_text = '' as is_customer_id_missing,
    customer_id,
    id_occurrence,
    name_text = '' as is_name_missing,
    {{ collapse_whitespace('name_text') }} as customer_name,
    has_loan_text in ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0') as is_has_loan_valid,
    has_loan_text in ('yes', 'y', 'true', '1') as has_loan
from ranked
