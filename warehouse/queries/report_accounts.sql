-- The report's accounts: one row per live account (marts.accounts). A card's balance is NULL there (its
-- spending is settled from a current account: counted once); its own figure is card_outstanding.
SELECT account_id, bank, coalesce(account_number, account_id) AS account_number, name, type, currency,
       balance, balance_date, card_outstanding, counts_in_total
FROM marts.accounts
ORDER BY bank, account_number, account_id;
