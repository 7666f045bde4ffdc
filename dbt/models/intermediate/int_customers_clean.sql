-- Customers that passed every rule: one row per customer id.
select
    customer_id,
    customer_name,
    has_loan
from {{ ref('stg_customers') }}
where quarantine_reason is null
