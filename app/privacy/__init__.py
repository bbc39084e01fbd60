"""A customer's rights over their data (P-PRIV-3): export on request, erasure with the history kept."""
