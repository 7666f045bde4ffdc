-- Every account record, trimmed and typed where valid. The quarantine reason is settled in
-- int_accounts_checked, because rule 5 (unknown customer) needs the clean customers.
with

source as (

    select * from {{ source('raw', 'accounts') }}

),

trimmed as (

    select
        source_row,
        field_count <> header_field_count as is_malformed,
        {{ trim_whitespace(raw_or_empty('account_id')) }} as account_id_text,
        {{ trim_whitespace(raw_or_empty('customer_id')) }} as customer_id_text,
        {{ trim_whitespace(raw_or_empty('balance')) }} as balance_text,
        {{ ascii_lower(trim_whitespace(raw_or_empty('account_type'))) }} as account_type
    from source

),

typed as (

    select
        *,
        {{ ascii_upper('account_id_text') }} as account_id,
        not is_malformed and account_id_text <> '' as has_id,
        {{ positive_integer_or_null('customer_id_text') }} as customer_id,
        case
            when {{ matches_fully('balance_text', '[+-]?[0-9]{1,15}(\\.[0-9]{1,2})?') }}
            then {{ guarded_cast('balance_text', money_type()) }}
        end as balance
    from trimmed

),

ranked as (

    select
        *,
        -- Rule 3: among records that passed rules 1-2, the first with an id keeps it.
        case
            when has_id
            then row_number() over (partition by has_id, account_id order by source_row)
        end as id_occurrence
    from typed

)

select
    source_row,
    is_malformed,
    account_id,
    id_occurrence,
    customer_id,
    balance_text = '' as is_balance_missing,
    balance,
    account_type
from ranked
