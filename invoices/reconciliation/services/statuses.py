"""Sync statuses set when finance applies (or reverts) a run: set-based, with one event and one history row per
invoice that changes."""
import json

from django.db import connection
from django.utils import timezone

from core.event_texts import text_of
from core.history import change_reason, insert_history_sql
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind

INVOICE = Invoice._meta.db_table
EVENT = InvoiceEvent._meta.db_table


def _json_param(name):
    return f"CAST(%({name})s AS jsonb)" if connection.vendor == "postgresql" else f"%({name})s"


def set_sync_status_for(run, invoice_ids, status, actor_id, message, data=None):
    """`message` is a fact (core.event_texts): each event stores its code and parameters."""
    ids = sorted(set(invoice_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        listed = f"id IN ({', '.join(str(int(i)) for i in ids[start:start + 500])}) AND sync_status <> %(status)s"
        # The UPDATE names the ids itself: as `id IN (SELECT …)` the planner may join the whole ledger to them
        # when its statistics are stale (a ledger loaded in bulk a moment ago).
        changed += _set_status(f"SELECT i.id FROM {INVOICE} i WHERE i.{listed}", {}, status, run, actor_id, message,
                               update_where=listed, data=data)
    return changed


def _set_status(select_ids, params, status, run, actor_id, message, update_where=None, data=None):
    params = {**params, "status": status,
              "now": connection.ops.adapt_datetimefield_value(timezone.now()), "actor": actor_id,
              "code": message["fact"], "params": json.dumps(message["params"]), "kind": InvoiceEventKind.RECONCILED,
              "data": json.dumps({"run_id": run.pk, "sync_status": status, **(data or {})})}
    with connection.cursor() as cursor:
        # Events first, while the WHERE still sees the old status; then the status itself, set-based.
        cursor.execute(
            f"INSERT INTO {EVENT} (invoice_id, kind, at, actor_id, message, message_code, params, data) "
            f"SELECT x.id, %(kind)s, %(now)s, %(actor)s, '', %(code)s, {_json_param('params')}, {_json_param('data')} "
            f"FROM ({select_ids}) x",
            params,
        )
        # The audit history gets the same rows, set-based, before the UPDATE makes the WHERE stop matching.
        cursor.execute(insert_history_sql(Invoice, select_ids, overrides={"sync_status": "%(status)s"}),
                       {**params, "history_now": params["now"], "history_user": actor_id,
                        "history_reason": change_reason(text_of(message))})
        cursor.execute(f"UPDATE {INVOICE} SET sync_status = %(status)s WHERE {update_where or f'id IN ({select_ids})'}",
                       params)
        return cursor.rowcount
