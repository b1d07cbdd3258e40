-- The content part of a content key: ['p|']<booking_date>|<amount, 2 decimals>|<normalized label>
CREATE MACRO txn_base(pending, booking_date, amount, nlabel) AS
    CASE WHEN pending THEN 'p|' ELSE '' END || strftime(booking_date, '%Y-%m-%d') || '|'
    || CAST(amount AS VARCHAR) || '|' || nlabel;
