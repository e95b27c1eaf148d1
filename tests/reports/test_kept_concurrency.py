"""Kept figures under concurrent requests: two connections, interleaved at a chosen point.

Transactional tests (real commits), each side in its own thread and connection. A
pause in one side waits until PostgreSQL shows the other side waiting on a lock,
so the interleaving is the same on every run.
"""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import pre_delete
from django.utils import timezone

from families.models import Child, Family
from families.services import family_save_with_children
from groups.models import BkbGroup
from sessions import kept as children_kept
from sessions.models import ChildStatus, KeptState
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_waiting_on_a_lock(pids: dict, key: str, seconds: float = 10) -> bool:
    """Until the connection whose pid is pids[key] waits on a lock (False if it never does)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if key in pids:
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pids[key]])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
        time.sleep(0.02)
    return False


def in_thread(func, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = func()
        except Exception as error:  # reported by the test's assertions
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_child_removed_while_the_roster_refreshes_fails_neither(world, reference_data):
    today = timezone.localdate()
    group = world["group_a"]
    family = f.family(group, joined_on=today - datetime.timedelta(days=800))
    stays = f.child(family, today - datetime.timedelta(days=400))
    leaves = f.child(family, today - datetime.timedelta(days=300))
    # Kept for yesterday: the roster of today refreshes them.
    children_kept.children_refresh([group.pk], today - datetime.timedelta(days=1))
    assert ChildStatus.objects.count() == 2

    pids, results, threads = {}, {}, []

    def write():
        pids["write"] = backend_pid()
        family_save_with_children(
            family=Family.objects.get(pk=family.pk), children=[], removed_children=[Child.objects.get(pk=leaves.pk)]
        )

    def meanwhile(sender, instance, **kwargs):
        # The roster has read the children and is about to write their rows: the child is
        # removed now, in another request, which commits or waits for the roster's locks.
        if threads:
            return
        threads.append(in_thread(write, results, "write"))
        while "write" not in results and not wait_until_waiting_on_a_lock(pids, "write", seconds=0.2):
            pass

    def roster():
        return children_kept.children_ensure(BkbGroup.objects.get(pk=group.pk), today)

    # A receiver makes the roster's delete of the old rows go row by row, through it.
    pre_delete.connect(meanwhile, sender=ChildStatus, dispatch_uid="test-child-removed-meanwhile")
    try:
        in_thread(roster, results, "roster").join(60)
        threads[0].join(60)
    finally:
        pre_delete.disconnect(sender=ChildStatus, dispatch_uid="test-child-removed-meanwhile")

    assert not isinstance(results["roster"], Exception), results["roster"]
    assert not isinstance(results["write"], Exception), results["write"]
    assert not Child.objects.filter(pk=leaves.pk).exists()
    # The write's own refresh ran after it committed (the immediate task backend): current again.
    assert list(ChildStatus.objects.values_list("child_id", flat=True)) == [stays.pk]
    assert KeptState.objects.get(group=group).children_current(today)
