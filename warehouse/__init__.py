"""Storage: the raw store (landing), the Parquet lake, and the DuckDB warehouse (SQL in .sql files)."""
