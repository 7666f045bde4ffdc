-- Accounts that passed every rule: one row per account id.
select
    account_id,
    customer_id,
    balance,
    account_type
from {{ ref('int_accounts_checked') }}
where quarantine_reason is null
