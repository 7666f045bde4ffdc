-- Every customer record with the first quarantine reason that applies (NULL when clean).
with

customers as (

    select * from {{ ref('stg_customers') }}

)

select
    customers.*,
    case
        when customers.is_malformed then 'malformed_row'
        when customers.is_customer_id_missing then 'missing_customer_id'
        when customers.customer_id is null then 'invalid_customer_id'
        when customers.id_occurrence > 1 then 'duplicate_customer_id'
        when customers.is_name_missing then 'missing_name'
        when not customers.is_has_loan_valid then 'invalid_has_loan'
    end as quarantine_reason
from customers
