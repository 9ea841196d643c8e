"""SQLite (and any database without the SQL path): parse each row in Python with reader.parse_row, then a
batched executemany into the staging table. reader.parse_row keeps fast paths for the common spellings."""
from django.utils.translation import gettext as _

from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reconciliation.pipeline import staging
from invoices.reconciliation.pipeline.reader import parse_row, raw_for_json

DISCREPANCY_BATCH = 2_000


def load_chunk(run, source, rows, first_row_no):
    items = list(source.columns.items())
    seller_tax_id = run.seller.tax_id
    batch, unreadable = [], []
    row_no = first_row_no - 1
    for row in rows:
        row_no += 1
        width = len(row)
        raw = {key: (row[i].strip() if i < width else "") for key, i in items}
        parsed, reason = parse_row(raw)
        if parsed is not None and parsed.seller_tax_id and parsed.seller_tax_id != seller_tax_id:
            parsed, reason = None, _("Row belongs to seller %(v)s, not to this run's seller %(s)s.") % {
                "v": parsed.seller_tax_id, "s": seller_tax_id}
        if parsed is None:
            unreadable.append(Discrepancy(
                run=run, kind=DiscrepancyKind.UNREADABLE, row_no=row_no, detail=reason,
                number=str(raw.get("digital_number") or raw.get("number") or "")[:40], platform_data=raw_for_json(raw),
            ))
            continue
        batch.append(staging.staging_tuple(row_no, parsed))
        if len(batch) >= staging.BATCH_ROWS:
            staging.load_batch(run.pk, batch)
            batch = []
    staging.load_batch(run.pk, batch)
    Discrepancy.objects.bulk_create(unreadable, batch_size=DISCREPANCY_BATCH)
    return row_no - first_row_no + 1, len(unreadable)
