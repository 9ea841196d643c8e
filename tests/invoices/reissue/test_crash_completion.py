"""A reissue whose web server and worker are killed (`kill -9`) while the tax platform has stored the red invoice
but not answered completes by itself after a restart: within one sweep interval plus one lease, with exactly one
red and one new invoice on the platform and in the ledger, on the ORM broker and on Redis.

Real processes throughout: gunicorn serves the API (finance user B approves user A's request with a token), a
`manage.py qcluster` runs the completion job, and the simulated platform answers HTTP on loopback from this test's
process. The platform stores the red invoice and then holds its answer (its `after_store` hook), which is the
real-world case of a platform that accepted an invoice and was not heard from. Broker and lease timings are scaled
down (Q_TIMEOUT 6 s, Q_RETRY 10 s, so a lease of 8 s); the sweep keeps its production schedule of one minute."""
import json
import socket
import threading
import time
import urllib.request

import pytest
from django_q.conf import Conf
from django_q.models import Schedule
from rest_framework.authtoken.models import Token

from core.jobs.models import Job, JobStatus
from core.jobs.schedules import SWEEP
from core.roles import FINANCE
from invoices.ledger.models import Direction, Invoice
from invoices.platform.models import PlatformInvoice
from invoices.platform.server import PlatformHandler
from invoices.reissue.models import ReissueRequest, ReissueStatus
from invoices.reissue.services.completion import completion_job
from tests import factories
from tests.conftest import make_user
from tests.crash_helpers import Cluster, log_tail, wait_for
from tests.reissue_helpers import blue, request_full
from tests.sync_helpers import LivePlatform
from tests.test_crash_recovery import _cluster_env
from tests.invoices.platform.test_crash_recovery_leases import broker  # noqa: F401 (the fixture: the ORM broker, then Redis)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
Q_TIMEOUT, Q_RETRY = 6, 10
LEASE = (Q_TIMEOUT + Q_RETRY) // 2  # JOBS_LEASE_SECONDS as production derives it from the two
READ_TIMEOUT = 5  # under Q_TIMEOUT: a platform that never answers fails the attempt, not the task
WORK_ALLOWANCE = 30  # the restarted cluster's start and the remaining steps, on a busy machine


def holding_handler():
    """The platform's handler for one test: the first red invoice it stores is answered only once `release` is set
    (the worker waits on the socket meanwhile); everything else, a replay of that invoice included, at once."""

    class HoldRedAnswer(PlatformHandler):
        stored, release = threading.Event(), threading.Event()

        def after_store(self, record, created):
            if created and record.payload.get("direction") == Direction.RED:
                self.stored.set()
                self.release.wait(timeout=120)

    return HoldRedAnswer


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base, token, path, method="GET"):
    request = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, json.loads(response.read())


def _answers(base, token, path):
    try:
        return _api(base, token, path)[0] == 200
    except OSError:  # not listening yet (URLError is an OSError)
        return False


def test_killed_web_and_worker_while_platform_holds_red_invoice_complete_after_restart(
        broker, settings, tmp_path, django_user_model):  # noqa: F811 (broker is the imported fixture)
    settings.MEDIA_ROOT = tmp_path / "media"
    handler = holding_handler()
    platform = LivePlatform().start(handler)
    env = _cluster_env(tmp_path, smtp_port=1)
    for key in ("TAX_PLATFORM_CLAIM_TTL", "INCIDENTS_EMAIL_LEASE_SECONDS", "RECONCILIATION_TASK_TIMEOUT",
                "TAX_PLATFORM_SIM_LATENCY_MS"):
        env.pop(key)
    env.update({"Q_TIMEOUT": str(Q_TIMEOUT), "Q_RETRY": str(Q_RETRY), "TAX_PLATFORM": "http",
                "TAX_PLATFORM_URL": platform.url, "TAX_PLATFORM_TOKEN": "test-token",
                "TAX_PLATFORM_CONNECT_TIMEOUT": "2", "TAX_PLATFORM_READ_TIMEOUT": str(READ_TIMEOUT), **broker})

    requester = make_user(django_user_model, "fin_a", FINANCE)
    approver = make_user(django_user_model, "fin_b", FINANCE)
    token = Token.objects.create(user=approver).key
    original = blue(factories.seller(), factories.customer())
    req = request_full(original, requester)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web_log, worker_log = tmp_path / "web.log", tmp_path / "qcluster.log"
    web = Cluster(env, web_log, args=("-m", "gunicorn", "backoffice.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                      "--workers", "1", "--access-logfile", "-"))
    cluster = Cluster(env, worker_log)
    sweep_minutes = Schedule.objects.get(func=SWEEP).minutes
    job = Job.objects.filter(name="reissue.complete")

    def logs():
        return f"\n{log_tail(worker_log)}\n{log_tail(web_log, 15)}"

    def state():
        r = ReissueRequest.objects.get(pk=req.pk)
        jobs = list(Job.objects.values_list("name", "status", "attempts", "last_error"))
        return f"request {r.status} at {r.step}, jobs {jobs}, platform {PlatformInvoice.objects.count()} records"

    try:
        cluster.start()
        web.start()
        path = f"/api/v1/reissue-requests/{req.pk}/"
        wait_for(lambda: _answers(base, token, path), 60, lambda: "gunicorn to answer the API" + logs())
        status, body = _api(base, token, path + "approve/", method="POST")
        assert status == 200 and body["status"] == ReissueStatus.APPROVED, body
        wait_for(handler.stored.is_set, 60,
                 lambda: f"the platform to store the red invoice ({state()}){logs()}")
        web.kill9()
        cluster.kill9()
        killed_at = time.monotonic()
        # Killed mid-attempt: the platform holds the red invoice, the ledger has none, the job keeps its lease.
        assert PlatformInvoice.objects.filter(payload__direction=Direction.RED).count() == 1
        assert not Invoice.objects.filter(direction=Direction.RED).exists()
        killed = job.get()
        assert (killed.status, killed.attempts) == (JobStatus.RUNNING, 1), state()
        assert ReissueRequest.objects.get(pk=req.pk).status == ReissueStatus.APPROVED
        handler.release.set()  # from now on the platform answers normally

        cluster.start()
        web.start()
        bound = sweep_minutes * 60 + Conf.GUARD_CYCLE * 30 + LEASE + WORK_ALLOWANCE  # the scheduler ticks every 30 cycles
        wait_for(lambda: ReissueRequest.objects.get(pk=req.pk).status == ReissueStatus.COMPLETED
                 and job.get().status == JobStatus.DONE
                 and Job.objects.filter(name="incidents.invoice_reissued", status=JobStatus.DONE).exists(),
                 bound, lambda: f"the request completed and its jobs done within {bound}s: {state()}{logs()}")
        elapsed = time.monotonic() - killed_at
        wait_for(lambda: _answers(base, token, path), 60, lambda: "the restarted gunicorn to answer" + logs())
        status, body = _api(base, token, path)
    finally:
        handler.release.set()
        for process in (web, cluster):
            process.stop()
            process.kill9()
        platform.stop()
    print(f"{broker}: completed {elapsed:.0f}s after the kill (bound {bound}s)")

    req.refresh_from_db()
    assert body["status"] == ReissueStatus.COMPLETED and body["red_invoice_number"] == req.red_invoice.number
    # The original was uploaded (no issue key); the platform issued exactly the red and the new invoice.
    on_platform = {p.issue_key: p for p in PlatformInvoice.objects.exclude(issue_key=None)}
    assert sorted(on_platform) == [f"reissue-{req.pk}-new", f"reissue-{req.pk}-red"]
    red, new = on_platform[f"reissue-{req.pk}-red"], on_platform[f"reissue-{req.pk}-new"]
    assert (red.payload["direction"], red.payload["original_number"]) == (Direction.RED, original.number)
    assert new.payload["direction"] == Direction.BLUE
    assert list(Invoice.objects.filter(direction=Direction.RED).values_list("number", flat=True)) == [red.number]
    assert set(Invoice.objects.values_list("number", flat=True)) == {original.number, red.number, new.number}
    assert (req.red_invoice.number, req.new_invoice.number) == (red.number, new.number)
    done = completion_job(req)
    assert job.count() == 1 and done.status == JobStatus.DONE and done.attempts >= 2  # the killed attempt counted
    assert Job.objects.filter(name="incidents.invoice_reissued").count() == 1
