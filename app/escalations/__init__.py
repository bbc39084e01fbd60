"""Escalations: work that a person must pick up (SLA breaches, complaints, unhappy customers)."""
