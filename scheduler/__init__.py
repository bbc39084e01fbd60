"""The scheduled jobs (`scheduler.jobs`) and the scheduler process (`python -m scheduler`)."""
