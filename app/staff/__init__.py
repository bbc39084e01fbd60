"""Staff accounts, their roles, and the API tokens they use."""
