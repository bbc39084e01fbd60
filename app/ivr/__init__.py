"""The hotline IVR: voice flows as data (ivr_flows/), run step by step from Twilio's webhooks.

- `flows`, `schema`, `check`: load the TOML flow files, what each node kind needs, `ivr check`.
- `engine`, `calls`: run a call's nodes; the call's state lives in `ivr_calls` by CallSid.
- `nodes_*`: one executor per node kind; `turn` builds the TwiML of one answer.
- `endings`: hang-ups (P-REC-1 callback tickets, abandoned calls); `rescue`: the apology path.
- `simulator`: `ivr call`, a caller in the terminal.
"""
