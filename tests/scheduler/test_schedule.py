"""The schedule: jobs by the names of interfaces.md, slots every process agrees on, a misfire
policy written down per job, and a run that fell due while no scheduler led is not lost."""
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from app.database import Database
from scheduler.jobs import JOBS
from scheduler.ledger import claim_slot
from scheduler.process import _add_jobs
from scheduler.schedule import SCHEDULE, JobSpec
from tests.surveys.support import SHANGHAI, at

ROOT = Path(__file__).resolve().parents[2]
CLOSED_LOOP = ["sla_sweep", "survey_send", "survey_followup", "maintenance_reminders"]
CAMPAIGNS = ["seasonal_alerts", "idle_poweroff_reminders", "campaign_dispatch"]


def test_the_closed_loop_jobs_are_registered_by_their_interface_names():
    assert set(CLOSED_LOOP) <= set(JOBS) and {s.name for s in SCHEDULE} == set(JOBS)


def test_the_campaign_jobs_are_registered_by_their_interface_names():
    assert set(CAMPAIGNS) <= set(JOBS)


def test_every_job_states_why_its_misfire_policy_fits():
    assert all(spec.why and spec.coalesce for spec in SCHEDULE)
    daily = {s.name: s for s in SCHEDULE}["maintenance_reminders"]
    assert daily.daily_at == time(10) and daily.misfire_grace_time == 8 * 3600


def test_an_interval_slot_is_the_latest_fire_time_at_or_before_now():
    spec = JobSpec("sla_sweep", every=timedelta(minutes=1))
    assert spec.slot(datetime(2026, 7, 7, 2, 0, 37, tzinfo=timezone.utc), SHANGHAI) == \
        datetime(2026, 7, 7, 2, 0, tzinfo=timezone.utc)


def test_an_interval_trigger_fires_on_those_slots():
    spec = JobSpec("sla_sweep", every=timedelta(minutes=1))
    now = datetime(2026, 7, 7, 2, 0, 37, tzinfo=timezone.utc)
    assert spec.trigger(SHANGHAI).get_next_fire_time(None, now) == spec.slot(now, SHANGHAI) + timedelta(minutes=1)


@pytest.mark.parametrize("now, slot", [(at(7, 9, 59), at(6, 10)), (at(7, 10), at(7, 10)), (at(7, 17), at(7, 10))])
def test_a_daily_slot_is_todays_time_once_it_has_come(now, slot):
    assert JobSpec("maintenance_reminders", daily_at=time(10)).slot(now, SHANGHAI) == slot


def test_a_slot_is_claimed_once(database_url):
    database = Database(database_url)
    assert claim_slot(database, "sla_sweep", at(7, 10), runner="a:1", now=at(7, 10)) is not None
    assert claim_slot(database, "sla_sweep", at(7, 10), runner="b:2", now=at(7, 10)) is None
    database.dispose()


def _stored_job(database, spec, next_run_time):
    """What a scheduler that died leaves in the job store: the job and the run it still owed."""
    scheduler = BackgroundScheduler(timezone=SHANGHAI)  # never started: only the store is written
    store = SQLAlchemyJobStore(engine=database.engine)
    store.start(scheduler, "default")
    store.add_job(Job(scheduler, id=spec.name, func="scheduler.runner:run_scheduled", trigger=spec.trigger(SHANGHAI),
                      executor="default", args=[spec.name], kwargs={}, name=spec.name, coalesce=True,
                      misfire_grace_time=spec.misfire_grace_time, max_instances=1, next_run_time=next_run_time))


def _next_run_after_restart(database, spec):
    """The next run a restarted leader registers (None: computed from the trigger when it starts)."""
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=database.engine)}, timezone=SHANGHAI)
    _add_jobs(scheduler, database, [spec], SHANGHAI)
    return getattr(scheduler.get_job(spec.name), "next_run_time", None)


def test_a_run_owed_from_before_a_restart_is_kept_for_the_misfire_policy_to_decide(database_url):
    database = Database(database_url)
    spec = {s.name: s for s in SCHEDULE}["maintenance_reminders"]
    owed = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(hours=2)
    _stored_job(database, spec, owed)
    assert _next_run_after_restart(database, spec) == owed
    database.dispose()


def test_a_stored_time_later_than_the_new_trigger_gives_way_to_it(database_url):
    database = Database(database_url)
    spec = JobSpec("sla_sweep", every=timedelta(seconds=2))
    _stored_job(database, spec, datetime.now(SHANGHAI) + timedelta(days=1))
    assert _next_run_after_restart(database, spec) is None
    database.dispose()


def test_the_jobs_command_lists_the_closed_loop_jobs(runner):
    output = runner.invoke(args=["jobs", "list"]).output
    assert all(name in output for name in CLOSED_LOOP)


def test_python_m_scheduler_list_prints_each_jobs_misfire_policy():
    output = subprocess.run([sys.executable, "-m", "scheduler", "--list"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    assert "maintenance_reminders\tdaily at 10:00\tcoalesce=True\tmisfire_grace=28800 s" in output
    assert "sla_sweep\tevery 60 s\tcoalesce=True\tmisfire_grace=none (run however late)" in output


def test_an_unknown_job_is_refused_at_start():
    result = subprocess.run([sys.executable, "-m", "scheduler", "--only", "no_such_job", "--list"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "unknown job" in result.stderr
