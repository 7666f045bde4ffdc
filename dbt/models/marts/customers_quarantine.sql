-- Every rejected customer record: its record number, the reason, and its raw values untouched.
-- The raw values are read back from the source for these records only, so that the models
-- between do not carry every record's text.
with

rejected_records as (

    select source_row, quarantine_reason
    from {{ ref('int_customers_checked') }}
    where quarantine_reason is not null

),

raw_records as (

    select * from {{ source('raw', 'customers') }}

)

select
    rejected_records.source_row,
    rejected_records.quarantine_reason as reason,
    {{ raw_or_empty('raw_records.customer_id') }} as customer_id,
    {{ raw_or_empty('raw_records.name') }} as name,
    {{ raw_or_empty('raw_records.has_loan') }} as has_loan
from rejected_records
inner join raw_records
    on rejected_records.source_row = raw_records.source_row
