-- marts.spending: the booked rows that are household spending, one per transaction, with the sign
-- turned so that spending is positive; the base of marts.spend_by_category and marts.spend_by_merchant.
--
-- What counts (booked rows only):
--   * every debit (amount < 0) -> amount = -amount (positive);
--   * refunds: credits that the categorizer calls 'Revenus:Remboursements' or card credits (a shop
--     paying back) -> amount = -amount (negative), so they net out against what they refund.
--   Other credits (salary, interest, transfers received, ...) are income, not negative spending.
--   Money moved between the user's own accounts is not spending either: category 'Épargne et virements
--   internes' and the bank hint 'Mouvements internes%' (e.g. Boursorama's monthly settlement of a
--   deferred-debit card on the checking account, whose purchases are already on the card account) are
--   left out, debits and credits alike.
-- merchant: the transaction's merchant, else its cleaned label. For a refund, a leading refund word
--   ('REMBOURST CB', 'REMBOURSEMENT', 'AVOIR', ...) is dropped so that it meets the shop it refunds.
-- category: a refund takes the category of the latest debit to the same merchant booked on or before
--   it (any account), so it nets out where the purchase was counted; without such a debit it keeps its
--   own. NULL categories show as 'Non catégorisé'.
CREATE OR REPLACE VIEW marts.spending AS
WITH base AS (
    SELECT txn_id, account_id, account_number, booking_date, amount, kind, category, label,
           amount > 0 AS is_refund,
           CASE WHEN amount > 0
                THEN nullif(trim(regexp_replace(coalesce(merchant, label),
                     '^(REMBOURST|REMBOURSEMENT|REMBT|REMB|AVOIR)( CB| CARTE)?[ .:-]+', '', 'i')), '')
                ELSE coalesce(merchant, label) END AS merchant
    FROM marts.transactions
    WHERE NOT pending
      AND (amount < 0 OR category = 'Revenus:Remboursements' OR (amount > 0 AND kind = 'card'))
      AND coalesce(category, '') <> 'Épargne et virements internes'
      AND coalesce(category, '') NOT LIKE 'Mouvements internes%'
),
debits AS (
    SELECT merchant, booking_date, category FROM base WHERE NOT is_refund AND merchant IS NOT NULL
),
refund_category AS (
    SELECT r.txn_id, d.category
    FROM (SELECT txn_id, merchant, booking_date FROM base WHERE is_refund) r
    ASOF JOIN debits d ON d.merchant = r.merchant AND r.booking_date >= d.booking_date
)
SELECT b.txn_id,
       b.account_id,
       b.account_number,
       b.booking_date,
       date_trunc('month', b.booking_date)::DATE AS month,
       b.merchant,
       coalesce(CASE WHEN b.is_refund THEN coalesce(rc.category, b.category) ELSE b.category END,
                'Non catégorisé') AS category,
       b.kind,
       (-b.amount)::DECIMAL(18,2) AS amount,
       b.is_refund
FROM base b
LEFT JOIN refund_category rc USING (txn_id);
