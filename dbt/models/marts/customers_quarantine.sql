-- Every rejected customer record: its record number, the reason, and its raw values untouched.
select
    source_row,
    quarantine_reason as reason,
    raw_customer_id as customer_id,
    raw_name as name,
    raw_has_loan as has_loan
from {{ ref('int_customers_checked') }}
where quarantine_reason is not null
