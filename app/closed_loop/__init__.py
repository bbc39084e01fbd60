"""The closed loop, above tickets, surveys, care and warranty: what follows a ticket move.

`app.tickets` records a ticket's moves and knows nothing of what follows; `moves.move_ticket` is
the one way the API, the IVR and the jobs move a ticket, and it runs what follows in the same
transaction. `answers` and `replies` bring a customer's rating back to the ticket through it.
"""
