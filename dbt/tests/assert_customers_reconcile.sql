-- Rows in file = clean + quarantined: no customer record is lost or counted twice.
with counts as (
    select
        (select count(*) from {{ source('raw', 'customers') }}) as raw_rows,
        (select count(*) from {{ ref('int_customers_clean') }}) as clean_rows,
        (select count(*) from {{ ref('customers_quarantine') }}) as quarantined_rows
)
select * from counts where raw_rows <> clean_rows + quarantined_rows
