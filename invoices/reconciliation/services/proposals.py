"""What a run proposes: the sync status each invoice would get, recorded set-based as ProposedChange rows while
the parts are compared, and the summary finance reads before applying (counts by status with sample numbers,
rows of other sellers and outside the period, the match rate against the seller's recent runs). Nothing here
touches an invoice; services/apply.py does, when a person applies the run."""
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum

from invoices.ledger.models import Invoice, SyncStatus
from invoices.reconciliation.models import (
    Discrepancy,
    DiscrepancyKind,
    ProposedChange,
    ReconciliationRun,
    RunStatus,
)
from invoices.reconciliation.pipeline.compare import CMP

CHANGE = ProposedChange._meta.db_table
INVOICE = Invoice._meta.db_table
SAMPLES = 5
PROPOSED_STATUSES = (SyncStatus.MISSING, SyncStatus.MISMATCH, SyncStatus.SYNCED)


def _insert(select_ids, params):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CHANGE} (run_id, invoice_id, to_status, from_status, applied, skipped) "
            f"SELECT %(run)s, x.id, %(status)s, '', %(false)s, '' FROM ({select_ids}) x WHERE 1 = 1 "
            f"ON CONFLICT (run_id, invoice_id) DO NOTHING", {**params, "false": False})
        return cursor.rowcount


def propose_matched(run):
    """Invoices of the compared part whose platform row agrees and that are not `synced` yet (reads CMP)."""
    return _insert(f"SELECT l_id AS id FROM {CMP} WHERE row_no IS NOT NULL AND l_id IS NOT NULL "
                   f"AND NOT differs AND l_sync_status <> %(status)s", {"run": run.pk, "status": SyncStatus.SYNCED})


def propose_for(run, invoice_ids, status):
    ids = sorted(set(invoice_ids))
    added = 0
    for start in range(0, len(ids), 500):
        listed = ", ".join(str(int(i)) for i in ids[start:start + 500])
        added += _insert(f"SELECT id FROM {INVOICE} WHERE id IN ({listed}) AND sync_status <> %(status)s",
                         {"run": run.pk, "status": status})
    return added


def note_outside_period(run):
    """Rows of the compared part that match one of the seller's invoices issued outside the run's period (reads
    CMP); counted and named in the proposal."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT l_code, l_number FROM {CMP} WHERE row_no IS NOT NULL AND l_id IS NOT NULL "
                       f"AND NOT in_period ORDER BY row_no")
        rows = cursor.fetchall()
    if rows:
        outside = run.proposal.setdefault("outside_period", {"rows": 0, "samples": []})
        outside["rows"] += len(rows)
        room = SAMPLES - len(outside["samples"])
        outside["samples"] += [f"{c}-{n}" if c else n for c, n in rows[:max(room, 0)]]


def _changes(run):
    out = {}
    for status in PROPOSED_STATUSES:
        qs = ProposedChange.objects.filter(run=run, to_status=status)
        samples = list(qs.order_by("invoice_id").values_list("invoice__code", "invoice__number")[:SAMPLES])
        out[status] = {"count": qs.count(), "samples": [f"{c}-{n}" if c else n for c, n in samples]}
    return out


def _foreign(run):
    """Rows that name another seller in 销方识别号 (whatever else is wrong with them)."""
    rows = (Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.UNREADABLE)
            .exclude(platform_data__seller_tax_id__in=["", run.seller.tax_id])
            .filter(platform_data__seller_tax_id__isnull=False)
            .values("platform_data__seller_tax_id").annotate(rows=Count("id")).order_by("-rows"))
    sellers = []
    for item in rows[:SAMPLES]:
        tax_id = item["platform_data__seller_tax_id"]
        name = (Discrepancy.objects.filter(run=run, platform_data__seller_tax_id=tax_id)
                .values_list("platform_data__seller_name", flat=True).first()) or ""
        sellers.append({"tax_id": tax_id, "name": name, "rows": item["rows"]})
    total = sum(item["rows"] for item in rows)
    return total, sellers


def _outside_unmatched(run, outside):
    """Rows the ledger lacks whose 开票日期 lies outside the period (platform_data holds local ISO times)."""
    start, end = run.period_start.isoformat(), (run.period_end + timedelta(days=1)).isoformat()
    qs = Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER).filter(
        Q(platform_data__issued_at__lt=start) | Q(platform_data__issued_at__gte=end))
    count = qs.count()
    if count:
        outside["rows"] += count
        room = SAMPLES - len(outside["samples"])
        outside["samples"] += list(qs.order_by("id").values_list("number", flat=True)[:max(room, 0)])


def recent_match_rate(run):
    """Rows matched over rows read in the seller's last few finished runs before this one, or None."""
    # A run flagged as the wrong file that nobody applied measured another file, not this seller's ledger.
    recent = (ReconciliationRun.objects.filter(seller_id=run.seller_id, status=RunStatus.DONE, rows_read__gt=0,
                                               created_at__lte=run.created_at).exclude(pk=run.pk)
              .exclude(wrong_file=True, applied_at__isnull=True)
              .order_by("-created_at", "-id")[:settings.RECONCILIATION_RECENT_RUNS])
    totals = ReconciliationRun.objects.filter(pk__in=list(recent.values_list("pk", flat=True))).aggregate(
        read=Sum("rows_read"), matched=Sum("rows_matched"))
    return totals["matched"] / totals["read"] if totals["read"] else None


def summarise(run):
    """Fill run.proposal and run.wrong_file once the run's parts are compared (the caller saves the run)."""
    proposal = dict(run.proposal or {})
    outside = proposal.get("outside_period") or {"rows": 0, "samples": []}
    _outside_unmatched(run, outside)
    foreign_rows, foreign_sellers = _foreign(run)
    rate = run.rows_matched / run.rows_read if run.rows_read else None
    recent = recent_match_rate(run)
    warnings = []
    if run.rows_read and foreign_rows / run.rows_read > settings.RECONCILIATION_FOREIGN_SHARE:
        warnings.append("foreign_majority")
    if (rate is not None and recent is not None and recent >= settings.RECONCILIATION_RECENT_MATCH_RATE
            and rate < settings.RECONCILIATION_WRONG_FILE_MATCH_RATE):
        warnings.append("low_match_rate")
    if not run.rows_read and run.ledger_invoices:
        warnings.append("no_rows")
    proposal.update({
        "seller": {"name": run.seller.name, "tax_id": run.seller.tax_id}, "changes": _changes(run), "outside_period": outside,
        "foreign": {"rows": foreign_rows, "sellers": foreign_sellers},
        "match_rate": rate, "recent_match_rate": recent, "warnings": warnings,
    })
    run.proposal = proposal
    run.wrong_file = bool(warnings)
    return proposal
