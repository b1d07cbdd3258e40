SELECT raw_sha256 FROM core.raw_files WHERE bank = ? AND connection = ?;
