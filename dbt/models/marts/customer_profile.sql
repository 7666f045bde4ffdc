-- One row per clean customer, with or without accounts: counts, balances and interest.
with

customers as (

    select * from {{ ref('int_customers_clean') }}

),

account_totals as (

    select
        customer_id,
        sum(case when account_type = 'savings' then 1 else 0 end) as savings_accounts,
        sum(case when account_type = 'checking' then 1 else 0 end) as checking_accounts,
        sum(balance) as total_balance,
        sum(case when account_type = 'savings' then balance else 0 end) as savings_balance
    from {{ ref('int_accounts_clean') }}
    group by customer_id

),

interest_totals as (

    select
        customer_id,
        sum(annual_interest) as annual_interest
    from {{ ref('account_summary') }}
    group by customer_id

)

select
    customers.customer_id,
    customers.customer_name,
    customers.has_loan,
    cast(coalesce(account_totals.savings_accounts, 0) as {{ dbt.type_bigint() }}) as savings_accounts,
    cast(coalesce(account_totals.checking_accounts, 0) as {{ dbt.type_bigint() }}) as checking_accounts,
    cast(coalesce(account_totals.total_balance, 0) as {{ money_sum_type() }}) as total_balance,
    cast(coalesce(account_totals.savings_balance, 0) as {{ money_sum_type() }}) as savings_balance,
    cast(coalesce(interest_totals.annual_interest, 0) as {{ money_sum_type() }}) as annual_interest
from customers
left join account_totals
    on customers.customer_id = account_totals.customer_id
left join interest_totals
    on customers.customer_id = interest_totals.customer_id
