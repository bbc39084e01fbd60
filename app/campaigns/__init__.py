"""Campaigns: seasonal warnings, power-off reminders, the cleaning drive and recalls (P-CARE-3..5).

Marketing drafts, a supervisor or admin who did not draft approves, `campaign_dispatch` sends
inside the window; one recipient row per number is the ledger of what became of every text.
"""
