"""Demo data for a fresh installation: customers and units on all three product lines, and outlets."""
