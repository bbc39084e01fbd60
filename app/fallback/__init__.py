"""The voice fallback: callers Twilio sends here while the service fails are spooled to a local
file, and turned into callback tickets once the database answers (P-REC-1)."""
