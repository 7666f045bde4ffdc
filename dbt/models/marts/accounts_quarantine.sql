-- Every rejected account record: its record number, the reason, and its raw values untouched
-- (read back from the source for these records only, as in customers_quarantine).
with

rejected_records as (

    select source_row, quarantine_reason
    from {{ ref('int_accounts_checked') }}
    where quarantine_reason is not null

),

raw_records as (

    select * from {{ source('raw', 'accounts') }}

)

select
    rejected_records.source_row,
    rejected_records.quarantine_reason as reason,
    {{ raw_or_empty('raw_records.account_id') }} as account_id,
    {{ raw_or_empty('raw_records.customer_id') }} as customer_id,
    {{ raw_or_empty('raw_records.balance') }} as balance,
    {{ raw_or_empty('raw_records.account_type') }} as account_type
from rejected_records
inner join raw_records
    on rejected_records.source_row = raw_records.source_row
