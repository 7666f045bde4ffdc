-- Every account record with the first quarantine reason that applies (NULL when clean).
with

accounts as (

    select * from {{ ref('stg_accounts') }}

),

clean_customers as (

    select customer_id from {{ ref('int_customers_clean') }}

)

select
    accounts.*,
    case
        when accounts.is_malformed then 'malformed_row'
        when accounts.account_id = '' then 'missing_account_id'
        when accounts.id_occurrence > 1 then 'duplicate_account_id'
        when accounts.customer_id is null then 'invalid_customer_id'
        when clean_customers.customer_id is null then 'unknown_customer'
        when accounts.is_balance_missing then 'missing_balance'
        when accounts.balance is null then 'invalid_balance'
        when accounts.balance < 0 then 'negative_balance'
        when accounts.account_type not in ('savings', 'checking') then 'invalid_account_type'
    end as quarantine_reason
from accounts
left join clean_customers
    on accounts.customer_id = clean_customers.customer_id
