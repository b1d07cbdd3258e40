-- The report's recurring payments: the active series of marts.recurring_payments, with the yearly
-- cost = typical_amount x occurrences per year of the cadence (52, 26, 12, 4, 1).
SELECT merchant, account_id, account_number, category, cadence, typical_amount, amount_varies,
       occurrences, last_date, next_expected_date,
       (typical_amount * CASE cadence WHEN 'weekly' THEN 52 WHEN 'biweekly' THEN 26 WHEN 'monthly' THEN 12
                                      WHEN 'quarterly' THEN 4 ELSE 1 END)::DECIMAL(18,2) AS yearly_cost
FROM marts.recurring_payments
WHERE active
ORDER BY yearly_cost DESC, merchant, account_number;
