"""Care during the warranty: the free maintenance visit every 3 months (P-CARE-1), offered by
text and booked by a reply; `app.closed_loop.moves` records each visit when its ticket is resolved."""
