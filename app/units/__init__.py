"""Installed units: product line, model, serial and the dates the warranty counts from."""
