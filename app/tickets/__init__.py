"""Tickets: the closed loop record → dispatch → handle → feed back → callback (P-LOOP).

- `lifecycle`: which event moves a ticket from which state (pure).
- `sla`: the response clocks of P-SLA-1..4, including the 24-hour loaner rule (pure).
- `numbers`: the digits-only ticket number a caller reads back.
- `services`: create a ticket and apply events, writing one audit event per change (P-REC-2).
"""
