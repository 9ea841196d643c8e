"""Sync statuses from a compared part: set-based, with one event and one history row per invoice that changes."""
import json

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import insert_history_sql
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus
from invoices.reconciliation.pipeline.compare import CMP

INVOICE = Invoice._meta.db_table
EVENT = InvoiceEvent._meta.db_table


def _json_param():
    return "CAST(%(data)s AS jsonb)" if connection.vendor == "postgresql" else "%(data)s"


def set_sync_status_matched(run, *, actor_id):
    """Invoices of the matched part whose platform row agrees become `synced`; one event per invoice that
    actually changes."""
    where = (f"SELECT l_id AS id FROM {CMP} WHERE row_no IS NOT NULL AND l_id IS NOT NULL "
             f"AND NOT differs AND l_sync_status <> %(status)s")
    return _set_status(where, {}, SyncStatus.SYNCED, run, actor_id,
                       _("Reconciliation run #%(run)s: matches the platform export.") % {"run": run.pk})


def set_sync_status_for(run, invoice_ids, status, actor_id, message):
    ids = sorted(set(invoice_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        listed = f"id IN ({', '.join(str(int(i)) for i in ids[start:start + 500])}) AND sync_status <> %(status)s"
        # The UPDATE names the ids itself: as `id IN (SELECT …)` the planner may join the whole ledger to them
        # when its statistics are stale (a ledger loaded in bulk a moment ago).
        changed += _set_status(f"SELECT i.id FROM {INVOICE} i WHERE i.{listed}", {}, status, run, actor_id, message,
                               update_where=listed)
    return changed


def _set_status(select_ids, params, status, run, actor_id, message, update_where=None):
    params = {**params, "status": status,
              "now": connection.ops.adapt_datetimefield_value(timezone.now()), "actor": actor_id, "message": message[:500],
              "kind": InvoiceEventKind.RECONCILED,
              "data": json.dumps({"run_id": run.pk, "sync_status": status})}
    with connection.cursor() as cursor:
        # Events first, while the WHERE still sees the old status; then the status itself, set-based.
        cursor.execute(
            f"INSERT INTO {EVENT} (invoice_id, kind, at, actor_id, message, data) "
            f"SELECT x.id, %(kind)s, %(now)s, %(actor)s, %(message)s, {_json_param()} FROM ({select_ids}) x",
            params,
        )
        # The audit history gets the same rows, set-based, before the UPDATE makes the WHERE stop matching.
        cursor.execute(insert_history_sql(Invoice, select_ids, overrides={"sync_status": "%(status)s"}),
                       {**params, "history_now": params["now"], "history_user": actor_id,
                        "history_reason": message[:100]})
        cursor.execute(f"UPDATE {INVOICE} SET sync_status = %(status)s WHERE {update_where or f'id IN ({select_ids})'}",
                       params)
        return cursor.rowcount
