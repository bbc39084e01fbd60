"""A month of jobs through the closed loop ends with every job verified and nobody asked twice,
even though the scheduler is killed mid-pass every few passes and restarted (simulation.py)."""
import os
from dataclasses import replace
from datetime import timedelta

from tests.scheduler.simulation import Simulation

# bench/closed_loop_simulation.py runs the full month of 10,000 jobs with hourly passes and
# prints its figures; the suite runs a smaller month (SIMULATION_JOBS=10000 runs the full one here).
JOBS = int(os.environ.get("SIMULATION_JOBS", "300"))


def test_a_month_of_jobs_ends_with_full_coverage_and_nobody_asked_twice_despite_kills(
        database_url, settings, standin, app):
    simulation = Simulation(database_url, replace(settings, sms_rate_per_second=0.0), standin, jobs=JOBS,
                            kill_every=5, step=timedelta(hours=3))
    report = simulation.run()
    assert report.kills >= 40, report
    assert (report.verified, report.coverage_pct) == (JOBS, 100.0), report
    assert report.requests_per_ticket_max == 1 and report.reminders_per_ticket_max == 1, report
    assert report.calls_per_survey_max == 1 and report.thanks_per_ticket_max == 1, report
    assert report.callbacks_per_ticket_max == 1, report
    assert set(report.verified_by) == {"sms", "voice", "staff"}, report
