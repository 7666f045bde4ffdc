-- Every rejected account record: its record number, the reason, and its raw values untouched.
select
    source_row,
    quarantine_reason as reason,
    raw_account_id as account_id,
    raw_customer_id as customer_id,
    raw_balance as balance,
    raw_account_type as account_type
from {{ ref('int_accounts_checked') }}
where quarantine_reason is not null
