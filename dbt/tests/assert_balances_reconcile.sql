-- Reported (e.g. as a Dagster asset check) on customer_profile, the model it guards last.
{{ config(meta={'dagster': {'ref': {'name': 'customer_profile'}}}) }}
-- Money agrees between the clean accounts and both marts: nothing dropped or double-counted by a join.
with totals as (
    select
        (select coalesce(sum(balance), 0) from {{ ref('int_accounts_clean') }}) as clean_balance,
        (select coalesce(sum(balance), 0) from {{ ref('int_accounts_clean') }}
            where account_type = 'savings') as clean_savings_balance,
        (select coalesce(sum(balance), 0) from {{ ref('account_summary') }}) as summary_balance,
        (select coalesce(sum(annual_interest), 0) from {{ ref('account_summary') }}) as summary_interest,
        (select coalesce(sum(total_balance), 0) from {{ ref('customer_profile') }}) as profile_balance,
        (select coalesce(sum(savings_balance), 0) from {{ ref('customer_profile') }}) as profile_savings_balance,
        (select coalesce(sum(annual_interest), 0) from {{ ref('customer_profile') }}) as profile_interest
)
select * from totals
where clean_balance <> profile_balance
   or clean_savings_balance <> summary_balance
   or summary_balance <> profile_savings_balance
   or summary_interest <> profile_interest
