"""Reports for supervisors: what the closed loop achieved, measured."""
