"""The managers' page: every figure is one aggregate query; the chart is plain HTML bars."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    OPEN_STATUSES,
    FollowUp,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    Severity,
)

PERIODS = (7, 30, 90)


def _duration(later, earlier):
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def dashboard_data(*, days=30, now=None):
    now = now or timezone.now()
    since = now - timedelta(days=days)
    tz = ZoneInfo(settings.TIME_ZONE)
    open_qs = Incident.objects.filter(status__in=OPEN_STATUSES)
    grid = {(r["category"], r["severity"]): r["n"]
            for r in open_qs.values("category", "severity").annotate(n=Count("id")).order_by()}
    rows = [{"label": label, "cells": [grid.get((cat, sev), 0) for sev in Severity.values],
             "total": sum(grid.get((cat, sev), 0) for sev in Severity.values)}
            for cat, label in IncidentCategory.choices]
    period = Incident.objects.filter(created_at__gte=since)
    response_breach = (Q(first_response_at__isnull=True, response_due_at__lt=now)
                       | Q(first_response_at__gt=F("response_due_at")))
    resolve_breach = (Q(resolved_at__isnull=True, resolve_due_at__lt=now, status__in=OPEN_STATUSES)
                      | Q(resolved_at__gt=F("resolve_due_at")))
    breaches = period.aggregate(
        response=Count("id", filter=response_breach), resolution=Count("id", filter=resolve_breach),
        total=Count("id"),
    )
    open_breaches = open_qs.filter(response_breach | resolve_breach).count()
    times = period.aggregate(
        mttd=Avg(_duration("detected_at", "fault_started_at"), filter=Q(fault_started_at__isnull=False)),
        mttr=Avg(_duration("resolved_at", "detected_at"), filter=Q(resolved_at__isnull=False)),
    )
    overdue = list(
        FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
        .values("assignee__username", "assignee__first_name")
        .annotate(n=Count("id"), escalated=Count("id", filter=Q(escalated_at__isnull=False)))
        .order_by("-n", "assignee__username")
    )
    per_day = dict(period.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day")
                   .annotate(n=Count("id")).order_by().values_list("day", "n"))
    first = timezone.localtime(since, tz).date()
    series = [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(days + 1)]
    peak = max([n for _d, n in series] + [1])
    return {
        "days": days, "severities": Severity.labels, "grid": rows, "open_total": open_qs.count(),
        "breaches": breaches, "open_breaches": open_breaches, "mttd": _human(times["mttd"]), "mttr": _human(times["mttr"]),
        "overdue": overdue,
        "series": [{"day": d, "n": n, "pct": round(100 * n / peak)} for d, n in series], "peak": peak,
    }


def dashboard_view(model_admin, request):
    if not request.user.has_perm("incidents.review_incident"):
        raise PermissionDenied
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Incident dashboard"), "opts": model_admin.model._meta, "periods": PERIODS,
        **dashboard_data(days=days),
    }
    return TemplateResponse(request, "admin/incidents/dashboard.html", context)


def _human(duration):
    """A mean duration as staff read it: days, hours and minutes, no microseconds."""
    if duration is None:
        return None
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [ngettext("%(n)d day", "%(n)d days", days) % {"n": days}] if days else []
    parts.append(str(_("%(h)d h %(m)d min")) % {"h": hours, "m": minutes})
    return " ".join(parts)
