"""Reads shared by admin, API, tasks and the dashboard.

Visibility (the team rule of incidents/access.py, as queryset filters): a user without
`incidents.view_every_team` sees incidents of their teams plus the shared queue (no team yet), follow-ups of
their teams, of the shared queue or assigned to them, communications and timeline events where their incident
is (one without an incident: where its author's teams or the customer's open incidents are). The admin's `get_queryset` methods apply `visible_*` to their own querysets (which carry the admin's
ordering); the API's viewsets read through `incident_list`, `incident_detail`, `communication_list` and
`followup_list`, built on the same functions, so the admin, the API and the services' `can_see_*` never
disagree."""
from datetime import timedelta

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, When
from django.utils import timezone

from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus

from .access import sees_every_team, team_ids
from .models import (
    OPEN_STATUSES,
    Communication,
    FollowUp,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentStatus,
    SatisfactionAnswer,
    Team,
)
from .models.sla_breach import breached_q


def visible_incidents(user, queryset):
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)))


def visible_followups(user, queryset):
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk))


def visible_communications(user, queryset):
    """Communications about an incident another team handles are that team's business. One logged without an
    incident is seen by its author, the author's teams and the teams of the customer's open incidents."""
    if sees_every_team(user):
        return queryset
    teams = team_ids(user)
    authored_by_team = Exists(Team.members.through.objects.filter(user_id=OuterRef("created_by_id"),
                                                                   team_id__in=teams))
    customer_incident_of_team = Exists(Incident.objects.filter(customer_id=OuterRef("customer_id"),
                                                               status__in=OPEN_STATUSES, team_id__in=teams))
    without_incident = Q(incident__isnull=True) & (Q(created_by_id=user.pk) | authored_by_team
                                                   | customer_incident_of_team)
    return queryset.filter(without_incident | Q(incident__team__isnull=True, incident__isnull=False)
                           | Q(incident__team_id__in=teams))


def visible_incident_events(user, queryset):
    """Timeline events are read where their incident is."""
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(incident__team__isnull=True) | Q(incident__team_id__in=team_ids(user)))


def incident_list(*, user):
    """The incidents `user` sees, newest first, with what the list shows of customer and owner."""
    return visible_incidents(user, Incident.objects.select_related("customer", "owner").order_by("-id"))


def incident_detail(*, user):
    """`incident_list` with the invoices and the checklist the detail shows."""
    return incident_list(user=user).select_related("satisfaction").prefetch_related("invoices", "steps__done_by")


def communication_list(*, user):
    return visible_communications(
        user, Communication.objects.select_related("created_by").order_by("-occurred_at", "-id"))


def followup_list(*, user):
    return visible_followups(user, FollowUp.objects.select_related("assignee").order_by("due_at", "id"))


def satisfaction_of(incident):
    """The customer's survey answer for this incident, or None."""
    return SatisfactionAnswer.objects.filter(incident=incident).first()


def satisfaction_list(*, user):
    """Survey answers of the incidents the user may see, newest first."""
    return SatisfactionAnswer.objects.filter(incident__in=incident_list(user=user).values("pk")).select_related(
        "incident__team").order_by("-answered_at", "-pk")


# --- home page queues (backoffice/home.py): each one an indexed filter the matching changelist link repeats ---

def my_open_incidents(user):
    """The user's open incidents, the most urgent first: the earliest resolution due (missed ones lead)."""
    return (Incident.objects.filter(owner=user, status__in=OPEN_STATUSES)
            .select_related("customer").order_by(F("resolve_due_at").asc(nulls_last=True), "id"))


def unowned_open_incidents(user):
    """The shared queue: open incidents nobody owns yet, among those the user sees."""
    return visible_incidents(user, Incident.objects.filter(owner__isnull=True, status__in=OPEN_STATUSES))


def my_followups_due_today(user, now):
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN,
                                   due_at__date=timezone.localdate(now), due_at__gte=now)


def my_followups_overdue(user, now):
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN, due_at__lt=now)


def my_callbacks_waiting(user):
    """Callbacks the user promised a customer (follow-ups made from a logged contact) still to be made."""
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN, communication__isnull=False)


def incidents_awaiting_review():
    return Incident.objects.filter(status=IncidentStatus.RESOLVED)


def open_sla_breaches(now):
    return Incident.objects.filter(breached_q(now), status__in=OPEN_STATUSES)


def overdue_followups_by_assignee(now, limit=10):
    """[(assignee id, display name, count)], the longest lists first."""
    rows = (FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
            .values("assignee_id", "assignee__username", "assignee__first_name")
            .annotate(n=Count("id")).order_by("-n", "assignee__username")[:limit])
    return [(r["assignee_id"], r["assignee__first_name"] or r["assignee__username"], r["n"]) for r in rows]


# What happened to an incident's invoices shortly before it was opened (the verify that led to it) counts too.
INVOICE_EVENTS_BEFORE = timedelta(days=1)


def incident_invoice_events(incident, limit):
    """Events of the incident's invoices (verify, re-sync, reissue steps) since shortly before it was opened,
    newest first: the incident page shows them on its timeline beside the incident's own events."""
    since = min(incident.created_at, incident.detected_at or incident.created_at) - INVOICE_EVENTS_BEFORE
    return list(InvoiceEvent.objects.filter(invoice__incidents=incident, at__gte=since)
                .select_related("invoice", "actor").order_by("-at", "-id")[:limit])


# --- hand-offs: work another role finished, waiting on the home page of whoever carries on ---

# An incident whose invoices the platform now holds: the rep's next step is telling the customer.
READY_TO_ANSWER_STATUSES = (IncidentStatus.WAITING_PLATFORM,)
PLATFORM_HOLDS = Q(kind=InvoiceEventKind.SYNC_SUCCEEDED) | Q(kind=InvoiceEventKind.VERIFIED, data__outcome="synced")


def _all_invoices_synced():
    not_synced = Invoice.objects.filter(incidents=OuterRef("pk")).exclude(sync_status=SyncStatus.SYNCED)
    return Exists(Invoice.objects.filter(incidents=OuterRef("pk"))) & ~Exists(not_synced)


def ready_to_answer(user):
    """可以回复客户了: the user's open incidents waiting for the platform (or about an invoice missing there) whose
    every invoice the platform now holds, with `synced_at`, when the last of them got there; oldest first."""
    last_synced = (InvoiceEvent.objects.filter(PLATFORM_HOLDS, invoice__incidents=OuterRef("pk"))
                   .order_by("-at").values("at")[:1])
    return (Incident.objects.filter(Q(status__in=READY_TO_ANSWER_STATUSES)
                                    | Q(category=IncidentCategory.INVOICE_MISSING, status__in=OPEN_STATUSES),
                                    _all_invoices_synced(), owner=user)
            .annotate(synced_at=Subquery(last_synced)).order_by(F("synced_at").asc(nulls_last=True), "id"))


def every_invoice_synced(incident):
    """The desk's flag: the incident has invoices and the platform holds every one of them."""
    states = set(incident.invoices.values_list("sync_status", flat=True))
    return states == {SyncStatus.SYNCED}


def _last_sent_back():
    return (IncidentEvent.objects.filter(incident=OuterRef("pk"), message_code="incident.review.sent_back")
            .order_by("-at", "-id"))


def sent_back_to(user):
    """The user's open incidents a reviewer sent back and nobody has resolved since, the latest send-back first,
    with `sent_back_at` and `sent_back_comment` (what the manager wrote)."""
    resolved_since = IncidentEvent.objects.filter(incident=OuterRef("pk"), message_code__startswith="incident.status",
                                                  data__to=IncidentStatus.RESOLVED.value,
                                                  at__gt=OuterRef("sent_back_at"))
    return (Incident.objects.filter(owner=user, status__in=OPEN_STATUSES)
            .annotate(sent_back_at=Subquery(_last_sent_back().values("at")[:1]),
                      sent_back_comment=Subquery(_last_sent_back().values("params__comment")[:1]))
            .filter(sent_back_at__isnull=False).exclude(Exists(resolved_since)).order_by("-sent_back_at", "-id"))


def invoices_customers_wait_for():
    """客户在等: invoices the platform is missing or refused that an open incident holds, the incident whose
    resolution is due first leading (`due`); finance's home page and the invoice list's 客户在等 filter."""
    held = Q(incidents__status__in=OPEN_STATUSES)
    return (Invoice.objects.filter(held, sync_status__in=(SyncStatus.MISSING, SyncStatus.FAILED))
            .annotate(due=Min("incidents__resolve_due_at", filter=held))
            .order_by(F("due").asc(nulls_last=True), "id"))


def my_open_followups(user):
    """Every open follow-up of the user, the earliest due first (callbacks, prevention actions, a manager's 回访)."""
    return (FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN)
            .select_related("incident").order_by("due_at", "id"))


def related_open_incidents(incident, user, limit=10):
    """Other open incidents about the same problem, as the desk lists them: those holding one of this incident's
    invoices, then the customer's others; [(incident, reason)] with reason "invoice" or "customer"."""
    others = visible_incidents(user, Incident.objects.filter(status__in=OPEN_STATUSES).exclude(pk=incident.pk)
                               .select_related("owner"))
    invoice_ids = list(incident.invoices.values_list("pk", flat=True))
    by_invoice = list(others.filter(invoices__in=invoice_ids).distinct().order_by("created_at", "id")[:limit]) \
        if invoice_ids else []
    seen = {i.pk for i in by_invoice}
    by_customer = []
    if incident.customer_id:
        by_customer = [i for i in others.filter(customer_id=incident.customer_id).order_by("created_at", "id")
                       [:limit] if i.pk not in seen]
    return [(i, "invoice") for i in by_invoice] + [(i, "customer") for i in by_customer][:max(0, limit - len(seen))]


def customer_complaint(customer_id, user=None):
    """The customer's running incident a verify's finding joins and the invoice page leads to: an invoice_missing
    one first, else any, the oldest, among those `user` may see when the finding is a person's (so both name the
    same incident)."""
    if customer_id is None:
        return None
    qs = Incident.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES)
    if user is not None:
        qs = visible_incidents(user, qs)
    return qs.order_by(Case(When(category=IncidentCategory.INVOICE_MISSING, then=0), default=1), "id").first()
