"""The staff inbox: inbound texts no handler took, for a person to read, answer and mark done."""
