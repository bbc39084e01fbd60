"""Leadership: one holder of the lock at a time (advisory lock on PostgreSQL, file lock on SQLite)."""
from app.database import Database
from scheduler.leader import AdvisoryLease, FileLease, lease_for


def test_only_one_of_two_processes_holds_the_lead_until_it_lets_go(database_url):
    first_db, second_db = Database(database_url), Database(database_url)
    first, second = lease_for(first_db), lease_for(second_db)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire() and not second.still_held()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()
        first_db.dispose()
        second_db.dispose()


def test_the_lock_fits_the_database(database_url):
    database = Database(database_url)
    expected = AdvisoryLease if database.dialect == "postgresql" else FileLease
    assert isinstance(lease_for(database), expected)
    database.dispose()


def test_a_lost_lock_connection_means_the_lead_is_lost(database_url):
    database = Database(database_url)
    lease = lease_for(database)
    try:
        assert lease.try_acquire()
        if isinstance(lease, AdvisoryLease):
            lease._conn.invalidate()  # the server-side session is gone, as after a network cut
        else:
            lease.release()
        assert not lease.still_held()
    finally:
        lease.release()
        database.dispose()
