"""Care during the warranty: the free maintenance visit every 3 months (P-CARE-1) and the hooks
that keep the closed loop moving with the ticket."""
