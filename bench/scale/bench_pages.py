"""The in-process benchmarks: admin pages through Django's test client, the dashboard's data function."""
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.scale.timing import measure, raw_sql_time
from incidents.models import FollowUp, IncidentEvent
from invoices.ledger.models import Invoice, InvoiceLine, SyncStatus


def bench_user():
    User = get_user_model()
    user, _created = User.objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
    return user


def _pick_invoice():
    """A blue invoice with 5 lines, events and a red correction: the heaviest invoice page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.original_id FROM invoices_invoice i WHERE i.original_id IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM invoices_invoiceline l WHERE l.invoice_id = i.original_id AND l.line_no = 5) LIMIT 1"
        )
        row = cursor.fetchone()
    if row:
        return Invoice.objects.get(pk=row[0])
    line = InvoiceLine.objects.filter(line_no=5).order_by("-invoice_id").first()
    return line.invoice if line else Invoice.objects.order_by("-id").first()


def _big_incident():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT incident_id FROM {IncidentEvent._meta.db_table} GROUP BY incident_id HAVING COUNT(*) >= 200 "
            "ORDER BY incident_id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else IncidentEvent.objects.order_by("-id").values_list("incident_id", flat=True).first()


FLOOR_LABEL = "admin floor: seller list"


def _invoice_rows():
    """Rows in the ledger: PostgreSQL's estimate after seed_scale's ANALYZE (an exact COUNT of a million rows is
    what the admin avoids too), an exact count elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Invoice._meta.db_table])
            estimate = cursor.fetchone()[0]
        if estimate > 0:
            return estimate
    return Invoice.objects.count()


def page_cases():
    """(label, url) for every admin page in the table."""
    inv = Invoice.objects.order_by("-id").only("number", "buyer_tax_id").first()
    busy_buyer = (Invoice.objects.exclude(buyer_tax_id="").order_by("buyer_id").values_list("buyer_tax_id", flat=True)
                  .first())
    deep = max(1, min(2000, _invoice_rows() // 100 - 1))
    changelist = reverse("admin:invoices_invoice_changelist")
    big = _big_incident()
    cases = [
        ("admin invoices: first page", changelist),
        ("admin invoices: exact number", f"{changelist}?q={inv.number}"),
        ("admin invoices: buyer tax id", f"{changelist}?q={busy_buyer}"),
        ("admin invoices: sync failed", f"{changelist}?sync_status__exact={SyncStatus.FAILED}"),
        (f"admin invoices: page {deep}", f"{changelist}?p={deep}"),
        ("admin invoice page", reverse("admin:invoices_invoice_change", args=[_pick_invoice().pk])),
        ("admin incidents: first page", reverse("admin:incidents_incident_changelist")),
        ("admin my follow-ups", reverse("admin:incidents_followup_changelist")),
        ("admin incident page (200 events)", reverse("admin:incidents_incident_change", args=[big])),
        ("admin incident timeline (200 events)", reverse("admin:incidents_incident_timeline", args=[big])),
        # No target: the cheapest list in the admin (a handful of sellers, no filters), i.e. what the admin's own
        # page (navigation sidebar, header, search form, templates, session and user) costs before any data.
        (FLOOR_LABEL, reverse("admin:invoices_seller_changelist")),
    ]
    return cases


def followup_owner():
    """'My follow-ups' as the rep who has the most of them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT assignee_id FROM {FollowUp._meta.db_table} WHERE status = 'open' "
                       "GROUP BY assignee_id ORDER BY COUNT(*) DESC LIMIT 1")
        row = cursor.fetchone()
    return get_user_model().objects.get(pk=row[0]) if row else None


def run_pages(runs):
    admin_client, rows = Client(), []
    admin_client.force_login(bench_user())
    rep = followup_owner()
    rep_client = Client()
    if rep is not None:
        rep.is_superuser = True  # read everything on the bench; the list is still filtered to "me"
        rep_client.force_login(rep)
    for label, url in page_cases():
        client = rep_client if "follow-ups" in label and rep is not None else admin_client

        def get(client=client, url=url):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, (url, response.status_code)

        wall, queries, _db, sqls = measure(get, runs)
        rows.append((label, wall, queries, raw_sql_time(sqls, runs), "raw SQL of the page",
                     None if label == FLOOR_LABEL else 5.0))
    dashboard = reverse("admin:incidents_dashboard")
    # The management dashboard (issue 20): charts, per-person table and business-hours means, measured
    # against the summed time of its own queries; 90 days is the heaviest period it offers (weekly buckets).
    for label, query in (("admin dashboard (30 days)", ""), ("admin dashboard (90 days, by week)", "?period=90")):
        def get_dashboard(url=dashboard + query):
            assert admin_client.get(url).status_code == 200

        wall, queries, db, _sqls = measure(get_dashboard, runs)
        rows.append((label, wall, queries, db, "its queries' own time", 3.0))
    return rows
