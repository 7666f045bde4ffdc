-- Reported (e.g. as a Dagster asset check) on customers_quarantine, the model it guards last.
{{ config(meta={'dagster': {'ref': {'name': 'customers_quarantine'}}}) }}
-- Rows in file = clean + quarantined: no customer record is lost or counted twice.
with counts as (
    select
        (select count(*) from {{ source('raw', 'customers') }}) as raw_rows,
        (select count(*) from {{ ref('int_customers_clean') }}) as clean_rows,
        (select count(*) from {{ ref('customers_quarantine') }}) as quarantined_rows
)
select * from counts where raw_rows <> clean_rows + quarantined_rows
