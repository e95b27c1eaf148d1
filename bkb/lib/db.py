"""Database helpers that know nothing of the apps."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def one_snapshot():
    """Read-only queries that must agree with each other, seen from one moment of the database.

    PostgreSQL's default (READ COMMITTED) gives every statement its own
    snapshot: a write committed between a table's rows and its totals would
    make them disagree. REPEATABLE READ gives the whole block the first
    statement's snapshot. Inside a transaction already begun (a test, a
    caller's atomic block) the level can no longer be set; the block then
    reads as that transaction does.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
