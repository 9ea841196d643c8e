"""Nothing lost on crash: a real `manage.py qcluster` (ORM broker, PostgreSQL) is killed with SIGKILL while it
uploads an invoice, sends an email and runs a reconciliation; once a new cluster is up, each piece of work
finishes exactly once: one platform record, one email delivered, one completed run.

How each is made slow enough to be caught mid-task: the simulated platform's latency setting, an SMTP server
on loopback that pauses before accepting the recipient, and a row lock this test holds on an invoice the
reconciliation must update. Short broker and lease timings come from the environment (settings block of issue 8
part B), so the test waits seconds, not minutes."""
import os
import time

import psycopg
import pytest
from django.db import connection
from django_q.conf import Conf
from django_q.models import OrmQ

from core.roles import CUSTOMER_SERVICE, FINANCE
from incidents.models import Communication, DeliveryStatus
from incidents.services.communications import communication_send_email
from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import PlatformInvoice
from invoices.reconciliation.models import ReconciliationRun, RunStatus
from invoices.reconciliation.services.apply import reconciliation_apply
from invoices.reconciliation.services.runs import reconciliation_start

from . import factories
from .conftest import make_user
from .crash_helpers import Cluster, SlowSMTP, wait_for
from .recon_helpers import PERIOD, at, rows_for, upload

# PostgreSQL: the worker subprocess and the test must share a real database server (the test's SQLite database
# is not a file another process can safely open while the test holds it).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _db_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _cluster_env(tmp_path, smtp_port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "backoffice.settings", "DATABASE_URL": _db_url(), "REDIS_URL": "",
        "VAR_DIR": str(tmp_path / "var"), "MEDIA_ROOT": str(tmp_path / "media"), "Q_WORKERS": "3",
        # A killed task comes back after Q_RETRY; every lease below has lapsed by then.
        "Q_TIMEOUT": "6", "Q_RETRY": "10", "RECONCILIATION_TASK_TIMEOUT": "4", "TAX_PLATFORM_CLAIM_TTL": "8",
        "INCIDENTS_EMAIL_LEASE_SECONDS": "8", "TAX_PLATFORM_SIM_LATENCY_MS": "4000",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port), "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture
def queued_for_real(monkeypatch):
    """The suite runs tasks inline (sync=True); here they must go to the broker the cluster reads."""
    monkeypatch.setattr(Conf, "SYNC", False)


def _lock_invoice(pk):
    s = connection.settings_dict
    conn = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s.get("PASSWORD") or None,
                           host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
    conn.execute("SELECT id FROM invoices_invoice WHERE id = %s FOR UPDATE", [pk])
    return conn  # the transaction stays open until conn.rollback()


def _recon_waits_on_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_killed_worker_finishes_sync_email_and_reconciliation_exactly_once(queued_for_real, settings, tmp_path,
                                                                         django_user_model):
    settings.MEDIA_ROOT = tmp_path / "media"
    smtp = SlowSMTP(delay=4)
    smtp.start()
    cs, finance = make_user(django_user_model, "cs", CUSTOMER_SERVICE), make_user(django_user_model, "fin", FINANCE)
    # 1. an invoice to upload (issuing queues its sync task)
    invoice = factories.invoice()
    # 2. an email to a customer (queued for delivery)
    customer = factories.customer(email="buyer@example.cn")  # only recorded addresses are written to
    comm = communication_send_email(actor=cs, customer=customer, subject="您的发票", body="已重新开具。",
                                    to="buyer@example.cn")
    # 3. a reconciliation run whose matched invoices the run will propose to mark synced
    seller = factories.seller()
    buyer = factories.customer()
    matched = [factories.invoice(seller_obj=seller, buyer=buyer, issued_at=at(3 + i), sync_status=SyncStatus.FAILED)
               for i in range(2)]
    run = reconciliation_start(actor=finance, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(matched)))
    assert OrmQ.objects.count() >= 3
    blocker = _lock_invoice(matched[0].pk)

    cluster = Cluster(_cluster_env(tmp_path, smtp.port), tmp_path / "qcluster.log")
    try:
        cluster.start()
        under_way = {
            "sync": lambda: Invoice.objects.filter(pk=invoice.pk, sync_state__claim_token__gt="").exists(),
            "email": smtp.recipient_seen.is_set,
            "reconciliation": lambda: _recon_waits_on_lock()
            and ReconciliationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists(),
        }
        t0, seen = time.monotonic(), {}

        def all_under_way():  # records when each state was first seen, for the failure message
            states = {k: c() for k, c in under_way.items()}
            for k, v in states.items():
                seen.setdefault((k, v), round(time.monotonic() - t0, 1))
            return all(states.values())

        wait_for(all_under_way, 40,
                 lambda: "all three tasks to be under way: " + str(seen))
        cluster.kill9()
        blocker.close()  # rolls back: the dead worker's transaction, still waiting on the lock, now fails
        # Mid-task, nothing was finished.
        assert Invoice.objects.get(pk=invoice.pk).sync_status == SyncStatus.PENDING
        assert not PlatformInvoice.objects.filter(number=invoice.number).exists() and smtp.delivered == []
        # The run only proposes: its chunk waits on the lock in COMMIT (the proposal's foreign-key check is
        # deferred), which the server may complete once the lock is released, even with its worker dead.
        assert ReconciliationRun.objects.get(pk=run.pk).status in (RunStatus.RUNNING, RunStatus.DONE)

        cluster.start()
        wait_for(lambda: Invoice.objects.get(pk=invoice.pk).sync_status == SyncStatus.SYNCED
                 and Communication.objects.get(pk=comm.pk).delivery_status == DeliveryStatus.SENT
                 and ReconciliationRun.objects.get(pk=run.pk).status == RunStatus.DONE
                 and not OrmQ.objects.exists(),
                 60, f"the work to finish after the restart (log: {tmp_path / 'qcluster.log'})")
    finally:
        cluster.stop()
        cluster.kill9()
        blocker.close()
        smtp.close()

    assert PlatformInvoice.objects.filter(number=invoice.number).count() == 1
    assert PlatformInvoice.objects.get(number=invoice.number).uploads == 1
    assert len(smtp.delivered) == 1 and b"communication-%d@" % comm.pk in smtp.delivered[0]
    run.refresh_from_db()
    assert run.rows_read == 2 and run.rows_matched == 2 and run.discrepancies.count() == 0
    # The run proposed each change exactly once; finance applies them.
    assert run.changes.count() == 2
    reconciliation_apply(run=run, actor=finance)
    assert list(Invoice.objects.filter(pk__in=[i.pk for i in matched]).values_list("sync_status", flat=True)) == [
        SyncStatus.SYNCED] * 2
    # One "matched" event per invoice: the killed attempt's writes were rolled back, not doubled.
    for inv in matched:
        assert inv.events.filter(kind="reconciled").count() == 1
