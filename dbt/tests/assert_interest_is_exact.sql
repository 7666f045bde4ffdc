-- The interest arithmetic, checked from the rules rather than re-run: the rate follows the balance
-- tier and the loan, the interest is within half a cent of balance x rate, and the new balance adds up.
select *
from {{ ref('account_summary') }}
where interest_rate <> (
        case when balance < 10000 then 0.0100 when balance < 20000 then 0.0150 else 0.0200 end
        + case when has_loan then 0.0050 else 0 end
    )
   or abs(cast(balance as {{ money_product_type() }}) * interest_rate - annual_interest) > 0.005
   or new_balance <> balance + annual_interest
