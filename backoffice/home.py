"""工作台: each role's home page answers "what do I do now". Every count links to the changelist that lists
exactly those rows (same filter in the selector and in the link). The full model list stays at admin:all."""
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin.written import money
from core.counts import capped_count
from core.jobs.models import JobArea, JobStatus
from core.jobs.selectors import failed_jobs
from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER
from incidents import selectors as incident_queues
from incidents.models import OPEN_STATUSES, IncidentStatus
from incidents.services.calendar_load import next_year_missing
from invoices import queues as finance_queues
from invoices.ledger.models import SyncStatus
from invoices.reissue.models import ReissueStatus

OPEN = ",".join(s.value for s in OPEN_STATUSES)


def changelist(model, **params):
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class Row:
    label: str
    count: object
    url: str
    urgent: bool = False  # shown in red when there is anything to do


@dataclass
class Card:
    title: str
    rows: list = field(default_factory=list)
    items: list = field(default_factory=list)  # a short list under the counts (label, url, note, urgent)
    more_url: str = ""


def roles_of(user):
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        return [CUSTOMER_SERVICE, FINANCE, MANAGER]
    return [r for r in (CUSTOMER_SERVICE, FINANCE, MANAGER) if r in names]


def _incident_url(incident):
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def _when(at):
    return timezone.localtime(at).strftime("%m-%d %H:%M") if at else ""


def handoff_cards(user):
    """Work someone else finished that the rep carries on, above everything else: a review sent back (with the
    manager's comment), then incidents whose invoices the platform now holds (with when the last one got there)."""
    cards = []
    sent_back = incident_queues.sent_back_to(user)
    top = list(sent_back[:8])
    if top:
        cards.append(Card(_("Sent back by the reviewer"), items=[
            (_("%(ref)s %(title)s — the reviewer wrote: %(comment)s") % {
                "ref": i.reference, "title": i.title, "comment": i.sent_back_comment or "-"},
             _incident_url(i), _when(i.sent_back_at), True) for i in top], rows=[
            Row(_("incidents sent back to me"), capped_count(sent_back),
                changelist("incidents_incident", handoff="sent_back"), urgent=True)]))
    ready = incident_queues.ready_to_answer(user)
    top = list(ready[:8])
    cards.append(Card(_("Ready to answer the customer"), items=[
        (_("%(ref)s %(title)s: every invoice is on the tax platform now") % {"ref": i.reference, "title": i.title},
         _incident_url(i), _("synced %(at)s") % {"at": _when(i.synced_at)} if i.synced_at else "", True)
        for i in top], rows=[
        Row(_("my incidents whose invoices the platform now holds"), capped_count(ready),
            changelist("incidents_incident", handoff="ready"), urgent=True)]))
    return cards


def followups_card(user, now):
    """The user's open follow-ups, the earliest due first (a manager's 回访 after a low rating included)."""
    items = [(f"{f.title}" + (f" · {f.incident.reference}" if f.incident_id else ""),
              reverse("admin:incidents_followup_change", args=[f.pk]), _when(f.due_at), f.due_at < now)
             for f in incident_queues.my_open_followups(user)[:8]]
    return Card(_("My follow-ups"), items=items, rows=[
        Row(_("overdue"), capped_count(incident_queues.my_followups_overdue(user, now)),
            changelist("incidents_followup", assignee="me", due="overdue"), urgent=True),
        Row(_("due later today"), capped_count(incident_queues.my_followups_due_today(user, now)),
            changelist("incidents_followup", assignee="me", due="today")),
        Row(_("all my open follow-ups"), capped_count(incident_queues.my_open_followups(user)),
            changelist("incidents_followup", assignee="me", status__exact="open")),
    ])


def rep_cards(user, now):
    mine = incident_queues.my_open_incidents(user)
    top = list(mine[:8])
    items = [(f"{i.reference} {i.title}", reverse("admin:incidents_incident_change", args=[i.pk]),
              i.resolve_due_at, i.resolve_breached(now)) for i in top]
    incidents = Card(_("My open incidents, most urgent first"), items=items, rows=[
        Row(_("my open incidents"), capped_count(mine), changelist("incidents_incident", mine="me", status__in=OPEN)),
        Row(_("shared queue: open incidents nobody owns"),
            capped_count(incident_queues.unowned_open_incidents(user)),
            changelist("incidents_incident", mine="none", status__in=OPEN)),
    ])
    followups = followups_card(user, now)
    followups.rows.append(
        Row(_("customers waiting for my callback"), capped_count(incident_queues.my_callbacks_waiting(user)),
            changelist("incidents_followup", assignee="me", status__exact="open", communication__isnull="False")))
    return [*handoff_cards(user), incidents, followups]


def _failed_jobs_row(area):
    """Background work that gave up (a reaction, an email, a reissue's completion): the side that retries it sees it."""
    return Row(_("background jobs that failed, to retry"), capped_count(failed_jobs(area)),
               changelist("core_job", status__exact=JobStatus.FAILED, area__exact=area), urgent=True)


def finance_cards(user, now):
    invoice = "invoices_invoice"
    sync = Card(_("Invoices and the tax platform"), rows=[
        Row(_("sync failed"), capped_count(finance_queues.invoices_in_sync_state(SyncStatus.FAILED)),
            changelist(invoice, sync_status__exact=SyncStatus.FAILED), urgent=True),
        Row(_("pending too long"), capped_count(finance_queues.invoices_pending_too_long(now)),
            changelist(invoice, sync_status__exact=SyncStatus.PENDING,
                       issued_at__lt=timezone.localtime(finance_queues.pending_since(now)).isoformat(
                           timespec="seconds")), urgent=True),
        Row(_("missing on the platform"), capped_count(finance_queues.invoices_in_sync_state(SyncStatus.MISSING)),
            changelist(invoice, sync_status__exact=SyncStatus.MISSING), urgent=True),
        Row(_("differs from the platform"),
            capped_count(finance_queues.invoices_in_sync_state(SyncStatus.MISMATCH)),
            changelist(invoice, sync_status__exact=SyncStatus.MISMATCH), urgent=True),
    ])
    reissue = "invoices_reissuerequest"
    reissues = Card(_("Reissue requests"), rows=[
        Row(_("waiting for my approval"), capped_count(finance_queues.reissues_awaiting_approval_by(user)),
            changelist(reissue, queue="to_approve"), urgent=True),
        Row(_("my failed requests, to retry"), capped_count(finance_queues.my_failed_reissues(user)),
            changelist(reissue, queue="mine", status__exact=ReissueStatus.FAILED), urgent=True),
        Row(_("my requests whose red-letter form lapsed, to resubmit"),
            capped_count(finance_queues.lapsed_reissues(user)),
            changelist(reissue, queue="mine", status__exact=ReissueStatus.LAPSED), urgent=True),
        _failed_jobs_row(JobArea.INVOICES),
    ])
    form = "invoices_redletterform"
    forms = Card(_("Red-letter forms"), rows=[
        Row(_("entered by the buyer, waiting for our answer"), capped_count(finance_queues.buyer_forms_to_answer()),
            changelist(form, queue="to_answer"), urgent=True),
        Row(_("proposed answers waiting for my agreement"), capped_count(finance_queues.buyer_forms_to_agree(user)),
            changelist(form, queue="to_agree"), urgent=True),
        Row(_("ours, waiting for the buyer's confirmation"), capped_count(finance_queues.forms_waiting_for_buyer()),
            changelist(form, queue="buyer_to_confirm")),
    ])
    recon = Card(_("Reconciliation"), rows=[
        Row(_("runs in progress"), capped_count(finance_queues.reconciliation_runs_in_progress()),
            changelist("invoices_reconciliationrun", status__exact="running")),
        Row(_("failed runs"), capped_count(finance_queues.reconciliation_runs_failed()),
            changelist("invoices_reconciliationrun", status__exact="failed"), urgent=True),
        Row(_("open discrepancies"), capped_count(finance_queues.open_discrepancies()),
            changelist("invoices_discrepancy", resolution__exact="")),
    ])
    cards = [customers_waiting_card(), sync, credit_card(), reissues, forms, recon]
    if CUSTOMER_SERVICE not in roles_of(user):  # a rep's home already lists them
        cards.append(followups_card(user, now))
    return cards


def customers_waiting_card():
    """客户在等: invoices missing on the platform or refused by it that an open incident holds, the most urgent
    incident's first, so finance re-syncs what a customer is waiting on before the rest."""
    waiting = incident_queues.invoices_customers_wait_for()
    items = [(_("%(number)s · %(buyer)s · %(state)s") % {"number": inv.number, "buyer": inv.buyer.name,
                                                         "state": inv.get_sync_status_display()},
              reverse("admin:invoices_invoice_change", args=[inv.pk]),
              _("resolution due %(at)s") % {"at": _when(inv.due)} if inv.due else "",
              bool(inv.due and inv.due < timezone.now()))
             for inv in waiting.select_related("buyer")[:8]]
    return Card(_("Customers waiting"), items=items, rows=[
        Row(_("invoices an open incident is waiting on"), capped_count(waiting),
            changelist("invoices_invoice", waiting="customer"), urgent=True)])


def credit_card():
    """Sellers whose credit limit on the platform is running low (the hourly credit check's readings), each with the
    figures of its reading, before issuing and uploads fail with CREDIT_EXCEEDED."""
    low = finance_queues.credit_readings_low()
    items = [(_("Credit limit nearly used up: %(seller)s, %(remaining)s left of %(total)s (%(percent)s%%)") % {
        "seller": r.seller.name, "remaining": money(r.remaining), "total": money(r.total),
        "percent": r.remaining_percent},
        reverse("admin:invoices_creditreading_change", args=[r.pk]),
        timezone.localtime(r.checked_at).strftime("%m-%d %H:%M"), True) for r in low[:8]]
    return Card(_("Credit limits on the tax platform"), items=items, rows=[
        Row(_("sellers running low on credit"), capped_count(low),
            changelist("invoices_creditreading", low__exact=1), urgent=True),
    ])


def manager_cards(user, now):
    waiting = incident_queues.incidents_awaiting_review().order_by("resolved_at", "id")[:8]
    review = Card(_("Incidents"), items=[
        (f"{i.reference} {i.title}", reverse("admin:incidents_incident_change", args=[i.pk]), i.resolved_at, False)
        for i in waiting], rows=[
        Row(_("resolved, waiting for review"), capped_count(incident_queues.incidents_awaiting_review()),
            changelist("incidents_incident", status__exact=IncidentStatus.RESOLVED), urgent=True),
        Row(_("open incidents past their SLA"), capped_count(incident_queues.open_sla_breaches(now)),
            changelist("incidents_incident", sla="breached", status__in=OPEN), urgent=True),
        _failed_jobs_row(JobArea.INCIDENTS),
    ], more_url=reverse("admin:incidents_dashboard"))
    missing = next_year_missing(timezone.localdate(now))
    if missing:
        review.items.insert(0, (
            _("The %(year)s holidays and make-up working days are not loaded: SLA due times in %(year)s count "
              "holidays as working days. Ask an administrator to load the State Council's notice, or enter the "
              "days here.") % {"year": missing},
            changelist("incidents_workcalendar"), "", True))
    overdue = Card(_("Overdue follow-ups by assignee"), items=[
        (name, changelist("incidents_followup", assignee="all", due="overdue", assignee__id__exact=pk), n, True)
        for pk, name, n in incident_queues.overdue_followups_by_assignee(now)
    ])
    cards = [review, overdue]
    if not {CUSTOMER_SERVICE, FINANCE} & set(roles_of(user)):  # otherwise listed in that section
        cards.insert(1, followups_card(user, now))
    return cards


SECTIONS = {
    CUSTOMER_SERVICE: (_("Customer service"), rep_cards),
    FINANCE: (_("Finance"), finance_cards),
    MANAGER: (_("Manager"), manager_cards),
}


def _sections(user, now):
    return [(SECTIONS[role][0], SECTIONS[role][1](user, now)) for role in roles_of(user)]


def _fingerprint(sections):
    """What the page lists (counts, items), so a poll can tell that something arrived: a hand-off, a re-sync."""
    parts = [f"{row.label}={row.count}" for _title, cards in sections for card in cards for row in card.rows]
    parts += [str(item[1]) for _title, cards in sections for card in cards for item in card.items]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def home_view(request):
    sections = _sections(request.user, timezone.now())
    context = {**admin.site.each_context(request), "title": _("Workbench"), "sections": sections,
               "state": _fingerprint(sections), "state_url": reverse("admin_home_state"),
               "poll_ms": settings.HOME_POLL_SECONDS * 1000}
    return TemplateResponse(request, "admin/home.html", context)


def home_state_view(request):
    """Polled by the home page (backoffice/static/backoffice/home_refresh.js): it reloads itself when this moves,
    so finance's re-sync shows on the rep's home as 可以回复客户了 without anyone pressing F5."""
    return JsonResponse({"state": _fingerprint(_sections(request.user, timezone.now()))})
