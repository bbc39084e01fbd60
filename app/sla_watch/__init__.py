"""Watching the clocks: the SLA sweep (P-SLA-1..4) and parts that must reach the job in 2 days (P-REP-3)."""
