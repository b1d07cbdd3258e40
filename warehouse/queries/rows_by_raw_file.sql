-- Transactions first loaded from each raw file, plus statement lines per raw file.
SELECT raw_sha256, count(*) FROM (
    SELECT raw_sha256 FROM core.transactions
    UNION ALL
    SELECT raw_sha256 FROM core.statement_lines
) GROUP BY raw_sha256;
