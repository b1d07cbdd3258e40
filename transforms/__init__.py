"""Pure transforms between canonical records and lake rows: normalize, identify, categorize."""
