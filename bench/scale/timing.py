"""Server-side timing: median wall time of a request over repeated runs, its query count (Django's
CaptureQueriesContext) and each query's own database time (an execute wrapper around the cursor)."""
import statistics
import time
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


class _QueryClock:
    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0


@contextmanager
def clocked():
    clock = _QueryClock()
    with connection.execute_wrapper(clock), CaptureQueriesContext(connection) as captured:
        yield clock, captured


def measure(fn, runs):
    """Call fn() `runs` times (after one warm-up). Returns (median s, query count, median query s, sql list)."""
    fn()
    walls, dbs, counts, sqls = [], [], set(), []
    for _n in range(runs):
        with clocked() as (clock, captured):
            t0 = time.perf_counter()
            fn()
            walls.append(time.perf_counter() - t0)
        dbs.append(clock.seconds)
        counts.add(len(captured.captured_queries))
        sqls = [q["sql"] for q in captured.captured_queries]
    return statistics.median(walls), max(counts), statistics.median(dbs), sqls


def raw_sql_time(sqls, runs):
    """The reference for a page: run the very SQL the page ran, through a bare cursor, fetching every row."""
    def run():
        with connection.cursor() as cursor:
            for sql in sqls:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue  # savepoints and the like belong to the page's transaction handling
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    run()
    walls = []
    for _n in range(runs):
        t0 = time.perf_counter()
        run()
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)
