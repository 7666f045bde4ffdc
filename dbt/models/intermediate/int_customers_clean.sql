-- Customers that passed every rule: one row per customer id.
select
    customer_id,
    customer_name,
    has_loan
from {{ ref('int_customers_checked') }}
where quarantine_reason is null
