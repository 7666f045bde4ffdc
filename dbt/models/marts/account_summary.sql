-- One row per clean savings account: its interest for the year and the balance after it.
with

rated_accounts as (

    select * from {{ ref('int_savings_accounts') }}

),

with_interest as (

    select
        *,
        {{ round_money('cast(balance as ' ~ money_product_type() ~ ') * interest_rate') }}
            as annual_interest
    from rated_accounts

)

select
    account_id,
    customer_id,
    customer_name,
    has_loan,
    balance,
    interest_rate,
    annual_interest,
    cast(balance + annual_interest as {{ money_type() }}) as new_balance
from with_interest
