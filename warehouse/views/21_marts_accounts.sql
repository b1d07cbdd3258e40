-- One row per account. balance/balance_date: the latest balance the bank reported (API, CSV or
-- statement), else the account list's own. reconciled_through: the latest day on which a bank-reported
-- balance equals the warehouse's running sum anchored on the first reported balance (so it needs at
-- least two reported balances; NULL until then).
-- type: one vocabulary for every bank (connectors/account_types.toml): checking, savings, card, loan,
-- investment, life_insurance, retirement, other.
-- Card accounts (deferred-debit cards): what the bank reports for them is the spending not yet settled
-- (or, for some banks, all spending ever), and that money is also debited from the checking account when
-- the card is settled. Counting it in a total would count it twice. **Decision**: for a card, balance is
-- NULL and the bank's figure is in card_outstanding; counts_in_total is false. So
-- `SELECT sum(balance) FROM marts.accounts` is the sum over the accounts that hold money (checking,
-- savings, ..., loans negative), and a card's figure is still there to read.
CREATE OR REPLACE VIEW marts.accounts AS
WITH latest AS (
    SELECT account_id, date AS balance_date, balance
    FROM core.balances
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY date DESC,
                               CASE source WHEN 'api' THEN 0 WHEN 'csv' THEN 1 ELSE 2 END) = 1
),
booked AS (
    SELECT account_id, booking_date, sum(amount) AS day_sum
    FROM core.int_transactions
    WHERE NOT pending
    GROUP BY account_id, booking_date
),
running AS (
    SELECT account_id, booking_date,
           sum(day_sum) OVER (PARTITION BY account_id ORDER BY booking_date) AS running_sum,
           lead(booking_date) OVER (PARTITION BY account_id ORDER BY booking_date) AS next_date
    FROM booked
),
-- the offset that turns running sums into balances, taken from the first reported balance
anchor AS (
    SELECT b.account_id, b.date AS anchor_date, b.balance - coalesce(r.running_sum, 0) AS opening
    FROM core.balances b
    LEFT JOIN running r ON r.account_id = b.account_id AND b.date >= r.booking_date
                        AND (r.next_date IS NULL OR b.date < r.next_date)
    QUALIFY row_number() OVER (PARTITION BY b.account_id ORDER BY b.date, b.source) = 1
),
reconciled AS (
    SELECT b.account_id, max(b.date) AS reconciled_through
    FROM core.balances b
    JOIN anchor USING (account_id)
    LEFT JOIN running r ON r.account_id = b.account_id AND b.date >= r.booking_date
                        AND (r.next_date IS NULL OR b.date < r.next_date)
    WHERE b.date > anchor.anchor_date AND b.balance = anchor.opening + coalesce(r.running_sum, 0)
    GROUP BY b.account_id
)
SELECT a.account_id,
       a.bank,
       a.account_number,
       a.iban,
       a.name,
       a.type,
       a.currency,
       CASE WHEN a.type = 'card' THEN NULL ELSE coalesce(l.balance, a.balance) END AS balance,
       coalesce(l.balance_date, a.balance_date) AS balance_date,
       r.reconciled_through,
       CASE WHEN a.type = 'card' THEN coalesce(l.balance, a.balance) END AS card_outstanding,
       a.type IS DISTINCT FROM 'card' AS counts_in_total
FROM core.accounts a
LEFT JOIN latest l USING (account_id)
LEFT JOIN reconciled r USING (account_id)
WHERE NOT coalesce(a.deleted, false);
