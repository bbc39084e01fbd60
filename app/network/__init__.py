"""The service network: contracted outlets (P-NET-1) and their certified technicians (P-NET-2)."""
