-- Reported (e.g. as a Dagster asset check) on accounts_quarantine, the model it guards last.
{{ config(meta={'dagster': {'ref': {'name': 'accounts_quarantine'}}}) }}
-- Rows in file = clean + quarantined: no account record is lost or counted twice.
with counts as (
    select
        (select count(*) from {{ source('raw', 'accounts') }}) as raw_rows,
        (select count(*) from {{ ref('int_accounts_clean') }}) as clean_rows,
        (select count(*) from {{ ref('accounts_quarantine') }}) as quarantined_rows
)
select * from counts where raw_rows <> clean_rows + quarantined_rows
