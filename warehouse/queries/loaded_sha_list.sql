-- Which of these payloads (a list of sha256) the warehouse has loaded.
SELECT DISTINCT raw_sha256 FROM core.raw_files WHERE raw_sha256 IN (SELECT unnest(?::VARCHAR[]));
