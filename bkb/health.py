"""`/healthz` for the load balancer: is the database there, and is the task worker keeping up.

200 whenever the database answers, whatever the worker's state (it is in the body): a stuck
worker is not the web node's fault, and taking every node out of the pool for it would turn a
late refresh into an outage. 503 only when the database does not answer. One query, on the
waiting tasks alone (the task table's partial index on READY rows), no login, nothing secret.
"""

import datetime

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, Q, When
from django.http import JsonResponse
from django.tasks import task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from reports.tasks import figures_nightly

# A due task waiting longer than this means no worker is taking tasks. The nightly run waits
# as a READY task for 00:15, so a dead worker shows here within this time after midnight too.
TASK_WAIT_LIMIT = datetime.timedelta(minutes=10)


def _worker_state(now: datetime.datetime) -> dict:
    if not isinstance(task_backends["default"], DatabaseBackend):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"worker": "unknown", "worker_detail": "tasks run without the database worker"}
    never = get_date_max()  # what django_tasks_db stores for "run as soon as possible"
    due = Q(run_after__lte=now) | Q(run_after=never)
    waiting = DBTaskResult.objects.filter(status="READY").aggregate(
        due=Count("pk", filter=due),
        due_since=Min(Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after")), filter=due),
        nightly=Count("pk", filter=Q(task_path=figures_nightly.module_path)),
    )
    waited = now - waiting["due_since"] if waiting["due_since"] else None
    state = {
        "tasks_due": waiting["due"],
        "oldest_due_minutes": int(waited.total_seconds() // 60) if waited else None,
        "nightly_scheduled": waiting["nightly"] > 0,
    }
    if waited and waited > TASK_WAIT_LIMIT:
        return {"worker": "stale", "worker_detail": "a due task has waited too long", **state}
    if not state["nightly_scheduled"]:
        # It may be running right now (it requeues itself when done), or was never scheduled.
        return {"worker": "unknown", "worker_detail": "no nightly run is waiting", **state}
    return {"worker": "ok", **state}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    try:
        body = {"database": "ok", **_worker_state(timezone.now())}
    except DatabaseError:
        return JsonResponse({"database": "unavailable", "worker": "unknown"}, status=503)
    return JsonResponse(body)
