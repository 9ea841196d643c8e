"""工作台: each role's home page answers "what do I do now". Every count links to the changelist that lists
exactly those rows (same filter in the selector and in the link). The full model list stays at admin:all."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import admin
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
    followups = Card(_("My follow-ups"), rows=[
        Row(_("overdue"), capped_count(incident_queues.my_followups_overdue(user, now)),
            changelist("incidents_followup", assignee="me", due="overdue"), urgent=True),
        Row(_("due later today"), capped_count(incident_queues.my_followups_due_today(user, now)),
            changelist("incidents_followup", assignee="me", due="today")),
        Row(_("customers waiting for my callback"), capped_count(incident_queues.my_callbacks_waiting(user)),
            changelist("incidents_followup", assignee="me", status__exact="open", communication__isnull="False")),
    ])
    return [incidents, followups]


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
    return [sync, credit_card(), reissues, forms, recon]


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
    return [review, overdue]


SECTIONS = {
    CUSTOMER_SERVICE: (_("Customer service"), rep_cards),
    FINANCE: (_("Finance"), finance_cards),
    MANAGER: (_("Manager"), manager_cards),
}


def home_view(request):
    now = timezone.now()
    sections = [(SECTIONS[role][0], SECTIONS[role][1](request.user, now)) for role in roles_of(request.user)]
    context = {**admin.site.each_context(request), "title": _("Workbench"), "sections": sections}
    return TemplateResponse(request, "admin/home.html", context)
