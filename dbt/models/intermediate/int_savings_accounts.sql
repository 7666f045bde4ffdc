-- Clean savings accounts joined to their customers, with the interest rate that applies.
with

savings_accounts as (

    select * from {{ ref('int_accounts_clean') }}
    where account_type = 'savings'

),

customers as (

    select * from {{ ref('int_customers_clean') }}

),

joined as (

    select
        savings_accounts.account_id,
        savings_accounts.customer_id,
        customers.customer_name,
        customers.has_loan,
        savings_accounts.balance
    from savings_accounts
    inner join customers
        on savings_accounts.customer_id = customers.customer_id

)

select
    *,
    cast(
        case
            when balance < 10000 then 0.0100
            when balance < 20000 then 0.0150
            else 0.0200
        end
        + case when has_loan then 0.0050 else 0 end
        as {{ rate_type() }}
    ) as interest_rate
from joined
