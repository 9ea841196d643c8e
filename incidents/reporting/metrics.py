"""Every figure of the management dashboard and the periodic report, for one period and optionally one team.

Counts and sums are SQL aggregates (GROUP BY bucket, category, owner …). Durations are business hours, which
the database cannot count (holidays, 调休), so they come from one list of timestamps per period, measured
with a BusinessClock. Each figure carries the admin changelist filter that lists its incidents, so the
dashboard links every bar to the rows behind it."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Abs, TruncDate, TruncWeek
from django.utils import timezone

from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reissue.models import RedFlushReason, ReissueRequest, ReissueStatus

from ..models import (
    OPEN_STATUSES,
    Communication,
    CommunicationPurpose,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    RootCauseCategory,
    Severity,
)
from ..models.sla_breach import RESOLUTION, RESPONSE, breached_q, met_q, missed_q
from .clock import BusinessClock, mean
from .epoch import EpochSeconds
from .periods import midnight

OPEN = [s.value for s in OPEN_STATUSES]


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _range(field, period):
    """Changelist query parameters selecting `field` inside the period."""
    return {f"{field}__gte": _iso(period.start), f"{field}__lt": _iso(period.end)}


class Metrics:
    def __init__(self, *, period, team=None, now=None, clock=None):
        self.period, self.team, self.now = period, team, now or timezone.now()
        self.clock = clock or BusinessClock()
        self._tz = timezone.get_current_timezone()

    # --- querysets -------------------------------------------------------------------------------
    def incidents(self):
        qs = Incident.objects.all()
        return qs.filter(team=self.team) if self.team is not None else qs

    def team_params(self):
        return {"team__id__exact": self.team.pk} if self.team is not None else {}

    def opened(self):
        return self.incidents().filter(created_at__gte=self.period.start, created_at__lt=self.period.end)

    def resolved(self):
        return self.incidents().filter(resolved_at__gte=self.period.start, resolved_at__lt=self.period.end)

    def _trunc(self, field):
        fn = TruncDate if self.period.bucket == "day" else TruncWeek
        return fn(field, tzinfo=self._tz)

    @staticmethod
    def _day(value):
        return value.date() if hasattr(value, "date") and callable(value.date) else value

    # --- SLA attainment: met / (met + missed), by the one breach rule (incidents/models/sla_breach.py) -----
    def _sla_counts(self):
        now = self.now
        response_met, resolve_met = met_q(RESPONSE), met_q(RESOLUTION)
        return dict(
            response_total=Count("id", filter=response_met | missed_q(RESPONSE, now)),
            response_met=Count("id", filter=response_met),
            resolve_total=Count("id", filter=resolve_met | missed_q(RESOLUTION, now)),
            resolve_met=Count("id", filter=resolve_met),
            breached=Count("id", filter=breached_q(now)),
        )

    # --- figures ---------------------------------------------------------------------------------
    def headline(self):
        opened = self.opened().aggregate(n=Count("id"), **self._sla_counts())
        resolved = self.resolved().count()
        times = self.durations()
        return {
            "opened": opened["n"], "resolved": resolved,
            "open_now": self.incidents().filter(status__in=OPEN).count(),
            "response_met": opened["response_met"], "response_total": opened["response_total"],
            "resolve_met": opened["resolve_met"], "resolve_total": opened["resolve_total"],
            "breached": opened["breached"],
            "mttd": mean(times["mttd"].values()), "mttr": mean(times["mttr"].values()),
            "first_response": mean(times["first_response"].values()),
            "outage": mean(times["outage"].values()), "outages": len(times["outage"]),
            "links": {
                "opened": {**_range("created_at", self.period), **self.team_params()},
                "resolved": {**_range("resolved_at", self.period), **self.team_params()},
                "open_now": {"status__in": ",".join(OPEN), **self.team_params()},
                "breached": {**_range("created_at", self.period), "sla": "breached", **self.team_params()},
                "outages": {**_range("resolved_at", self.period), "category__exact": IncidentCategory.PLATFORM_OUTAGE,
                            **self.team_params()},
            },
        }

    def per_bucket(self):
        """Opened and resolved per day (or week), SLA attainment of the incidents opened in each bucket, and the
        MTTD/MTTR of those resolved in it. A bucket with nothing to measure is None, not 0."""
        opened = {self._day(r["b"]): r for r in self.opened().annotate(b=self._trunc("created_at")).values("b")
                  .annotate(n=Count("id"), **self._sla_counts()).order_by()}
        resolved = {self._day(r["b"]): r["n"] for r in self.resolved().annotate(b=self._trunc("resolved_at"))
                    .values("b").annotate(n=Count("id")).order_by()}
        times = self.durations()
        mttr, mttd = defaultdict(list), defaultdict(list)
        for pk, day in times["resolved_bucket"].items():
            mttr[day].append(times["mttr"][pk])
            if pk in times["mttd"]:
                mttd[day].append(times["mttd"][pk])
        rows = []
        buckets = self.period.buckets()
        for i, first in enumerate(buckets):
            following = buckets[i + 1] if i + 1 < len(buckets) else None
            o = opened.get(first, {})
            start = max(self.period.start, midnight(first))
            end = midnight(following) if following else self.period.end
            span = {"created_at__gte": _iso(start), "created_at__lt": _iso(end), **self.team_params()}
            rows.append({
                "bucket": first, "opened": o.get("n", 0), "resolved": resolved.get(first, 0),
                "response_met": o.get("response_met", 0), "response_total": o.get("response_total", 0),
                "resolve_met": o.get("resolve_met", 0), "resolve_total": o.get("resolve_total", 0),
                "mttr": mean(mttr.get(first, [])), "mttd": mean(mttd.get(first, [])),
                "links": {
                    "opened": span,
                    "resolved": {"resolved_at__gte": _iso(start), "resolved_at__lt": _iso(end), **self.team_params()},
                    "breached": {**span, "sla": "breached"},
                },
            })
        return rows

    def durations(self):
        """Business seconds per incident: first response and MTTD of those opened in the period, MTTR of those
        resolved in it (detected → resolved). A platform outage also gets its clock seconds (fault → resolved):
        the platform is down at weekends too, and business hours would hide a weekend outage. One query of epoch seconds (parsing tens of thousands of datetimes
        would cost more than the query); cached per Metrics."""
        if hasattr(self, "_durations"):
            return self._durations
        start, end = self.period.start, self.period.end
        fields = ("created_at", "fault_started_at", "detected_at", "first_response_at", "resolved_at")
        rows = self.incidents().filter(
            Q(created_at__gte=start, created_at__lt=end) | Q(resolved_at__gte=start, resolved_at__lt=end)
        ).annotate(**{f"e_{f}": EpochSeconds(f) for f in fields}).values_list(
            "pk", "owner_id", "category", *(f"e_{f}" for f in fields))
        out = {"first_response": {}, "mttd": {}, "mttr": {}, "resolved_bucket": {}, "owner": {}, "outage": {}}
        outage = IncidentCategory.PLATFORM_OUTAGE.value
        between, local_date = self.clock.between, self.clock.local_date
        start_ts, end_ts = start.timestamp(), end.timestamp()
        week = self.period.bucket == "week"
        # A plain cursor: the rows are numbers, and Django's per-row converters would cost more than the query.
        sql, params = rows.query.sql_with_params()
        with connections[rows.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for pk, owner, category, created, fault, detected, first, resolved in rows:
            out["owner"][pk] = owner
            if start_ts <= created < end_ts:
                if first is not None:
                    out["first_response"][pk] = between(detected, first)
                if fault is not None:
                    out["mttd"][pk] = between(fault, detected)
            if resolved is not None and start_ts <= resolved < end_ts:
                out["mttr"][pk] = between(detected, resolved)
                if category == outage:
                    out["outage"][pk] = max(0.0, resolved - (fault if fault is not None else detected))
                day = local_date(resolved)
                out["resolved_bucket"][pk] = day - timedelta(days=day.weekday()) if week else day
        self._durations = out
        return out

    def open_grid(self):
        counts = {(r["category"], r["severity"]): r["n"] for r in self.incidents().filter(status__in=OPEN)
                  .values("category", "severity").annotate(n=Count("id")).order_by()}
        return {
            "severities": [(s.value, s.label) for s in Severity],
            "rows": [{"category": cat, "label": label,
                      "cells": [{"n": counts.get((cat, sev), 0),
                                 "link": {"status__in": ",".join(OPEN), "category__exact": cat,
                                          "severity__exact": sev, **self.team_params()}}
                                for sev in Severity.values]}
                     for cat, label in IncidentCategory.choices],
        }

    def root_causes(self, limit=10):
        names = {c.pk: c for c in RootCauseCategory.objects.all()}
        rows = (self.resolved().exclude(root_cause_category__isnull=True).values("root_cause_category")
                .annotate(n=Count("id")).order_by("-n", "root_cause_category")[:limit])
        return [{"label": str(names[r["root_cause_category"]]), "code": names[r["root_cause_category"]].code,
                 "n": r["n"],
                 "link": {**_range("resolved_at", self.period), "root_cause_category__id__exact": r["root_cause_category"],
                          **self.team_params()}}
                for r in rows]

    def followups(self):
        qs = FollowUp.objects.all()
        return qs.filter(team=self.team) if self.team is not None else qs

    def as_of(self):
        """The moment "overdue" is measured at: the period's end, or now for a period still running."""
        return min(self.now, self.period.end)

    def overdue(self):
        """Follow-ups that were overdue at the period's end: due before it and still open then (done later or not
        at all, never cancelled)."""
        at = self.as_of()
        return self.followups().filter(due_at__lt=at).filter(
            Q(status=FollowUpStatus.OPEN) | Q(status=FollowUpStatus.DONE, completed_at__gte=at))

    def overdue_followups(self):
        User = get_user_model()
        rows = list(self.overdue().values("assignee")
                    .annotate(n=Count("id")).order_by("-n", "assignee"))
        users = User.objects.in_bulk([r["assignee"] for r in rows])
        return [{"label": person_name(users.get(r["assignee"])), "n": r["n"],
                 "link": {"assignee": "all", "due": "overdue", "assignee__id__exact": r["assignee"]}}
                for r in rows]

    def reissues(self):
        """Per reason: requests made in the period, requests completed in it (with the red invoices' 价税合计, the
        money actually credited) and requests made in it that failed or lapsed. The original's total is never
        money: a partial red-flush credits part of it, a failed request credits nothing."""
        start, end = self.period.start, self.period.end
        requested = Q(requested_at__gte=start, requested_at__lt=end)
        completed = Q(status=ReissueStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end)
        failed = requested & Q(status__in=[ReissueStatus.FAILED, ReissueStatus.LAPSED])
        rows = (ReissueRequest.objects.filter(requested | completed).values("reason").annotate(
            n=Count("id", filter=requested), completed=Count("id", filter=completed),
            failed=Count("id", filter=failed),
            amount=Sum(Abs("red_invoice__total"), filter=completed)).order_by("reason"))
        labels = dict(RedFlushReason.choices)
        return [{"label": str(labels.get(r["reason"], r["reason"])), "code": r["reason"], "n": r["n"],
                 "completed": r["completed"], "failed": r["failed"], "amount": r["amount"] or Decimal("0.00"),
                 "link": {**_range("requested_at", self.period), "reason__exact": r["reason"]}}
                for r in rows]

    def discrepancies(self):
        """Discrepancies of the period's runs, leaving out a run flagged as the wrong file that nobody applied: its
        "differences" are another seller's or another period's rows, not the ledger's."""
        found = Discrepancy.objects.filter(run__created_at__gte=self.period.start,
                                           run__created_at__lt=self.period.end).exclude(
            run__wrong_file=True, run__applied_at__isnull=True)
        rows = list(found.values("kind").annotate(n=Count("id"), runs=Count("run", distinct=True)).order_by("kind"))
        run_ids = ",".join(str(pk) for pk in found.values_list("run_id", flat=True).distinct()
                           .order_by("run_id")) if rows else ""
        labels = dict(DiscrepancyKind.choices)
        return [{"label": str(labels.get(r["kind"], r["kind"])), "code": r["kind"], "n": r["n"],
                 "link": {"kind__exact": r["kind"], "run__id__in": run_ids}}
                for r in rows]

    def found_by_check(self):
        """Of the invoice incidents opened in the period (a customer's missing invoice, a platform check's findings),
        the share a platform check found before any customer contact (no customer's invoice_missing incident on one
        of its invoices before it); and the check incidents' MTTD in clock hours, from the seller's last good check
        (their fault_started_at) to the incident."""
        kinds = [IncidentCategory.INVOICE_MISSING, IncidentCategory.PLATFORM_CHECK]
        total = self.opened().filter(category__in=kinds).count()
        checks = list(self.opened().filter(category=IncidentCategory.PLATFORM_CHECK)
                      .values_list("pk", "created_at", "detected_at", "fault_started_at"))
        found, detect = 0, []
        for pk, created, detected, fault in checks:
            found += not Incident.objects.filter(
                category=IncidentCategory.INVOICE_MISSING, created_at__lt=created,
                invoices__in=Incident.invoices.through.objects.filter(incident_id=pk).values("invoice_id")).exists()
            if fault is not None:
                detect.append(max(0.0, (detected - fault).total_seconds()))
        return {"found": found, "total": total, "mttd": mean(detect), "measured": len(detect),
                "link": {**_range("created_at", self.period), "category__exact": IncidentCategory.PLATFORM_CHECK,
                         **self.team_params()}}

    def people(self):
        """Per owner: incidents resolved in the period, mean first response and resolution (business hours), SLA
        attainment of the incidents they own opened in the period, follow-ups due in the period done on time."""
        User = get_user_model()
        handled = {r["owner"]: r["n"] for r in self.resolved().exclude(owner__isnull=True).values("owner")
                   .annotate(n=Count("id")).order_by()}
        sla = {r["owner"]: r for r in self.opened().exclude(owner__isnull=True).values("owner")
               .annotate(**self._sla_counts()).order_by()}
        fu = {r["assignee"]: r for r in self.followups().filter(
            due_at__gte=self.period.start, due_at__lt=self.period.end).exclude(status=FollowUpStatus.CANCELLED)
            .values("assignee").annotate(
                total=Count("id", filter=Q(status=FollowUpStatus.DONE) | Q(due_at__lt=self.now)),
                on_time=Count("id", filter=Q(status=FollowUpStatus.DONE, completed_at__lte=F("due_at"))))
            .order_by()}
        times = self.durations()
        first, resolve = defaultdict(list), defaultdict(list)
        for pk, value in times["first_response"].items():
            first[times["owner"][pk]].append(value)
        for pk, value in times["mttr"].items():
            resolve[times["owner"][pk]].append(value)
        ids = (set(handled) | set(sla) | set(fu)) - {None}
        users = User.objects.in_bulk(ids)
        rows = []
        for uid in sorted(ids, key=lambda u: (-handled.get(u, 0), person_name(users.get(u)))):
            s, f = sla.get(uid, {}), fu.get(uid, {})
            rows.append({
                "user_id": uid, "label": person_name(users.get(uid)), "handled": handled.get(uid, 0),
                "first_response": mean(first.get(uid, [])), "resolution": mean(resolve.get(uid, [])),
                "response_met": s.get("response_met", 0), "response_total": s.get("response_total", 0),
                "resolve_met": s.get("resolve_met", 0), "resolve_total": s.get("resolve_total", 0),
                "followups_on_time": f.get("on_time", 0), "followups_total": f.get("total", 0),
                "link": {**_range("resolved_at", self.period), "owner__id__exact": uid, **self.team_params()},
            })
        return rows

    def prevention_actions(self):
        return list(self.followups().filter(kind=FollowUpKind.PREVENTION, created_at__lt=self.period.end)
                    .filter(Q(status=FollowUpStatus.OPEN) | Q(completed_at__gte=self.period.start))
                    .select_related("incident", "assignee").order_by("due_at", "id"))

    def satisfaction(self):
        """The customers' survey answers on incidents resolved in the period: CSAT (share of answers rating 4–5) and
        the response rate (answers per survey email actually sent), overall, by team and by category."""
        surveyed = Exists(Communication.objects.filter(
            incident=OuterRef("pk"), purpose=CommunicationPurpose.SURVEY, sent_at__isnull=False))
        sent = self.resolved().annotate(surveyed=surveyed).filter(Q(surveyed=True) | Q(satisfaction__isnull=False))
        counts = dict(sent=Count("id", filter=Q(surveyed=True)), answered=Count("satisfaction"),
                      satisfied=Count("satisfaction", filter=Q(satisfaction__rating__gte=4)))
        labels = dict(IncidentCategory.choices)

        def rows(field, label, param):
            return [{**r, "label": label(r[field]), "link": {**_range("resolved_at", self.period),
                                                             **({param: r[field]} if r[field] else {})}}
                    for r in sent.values(field).annotate(**counts).order_by(field)]
        return {
            "total": {**sent.aggregate(**counts), "link": {**_range("resolved_at", self.period),
                                                            "satisfaction": "high", **self.team_params()}},
            "by_team": rows("team__name", lambda v: v or "—", "team__name"),
            "by_category": rows("category", lambda v: str(labels.get(v, v)), "category__exact"),
        }

    def everything(self):
        return {
            "headline": self.headline(), "buckets": self.per_bucket(), "grid": self.open_grid(),
            "root_causes": self.root_causes(), "overdue": self.overdue_followups(), "reissues": self.reissues(),
            "discrepancies": self.discrepancies(), "people": self.people(), "satisfaction": self.satisfaction(),
            "found_by_check": self.found_by_check(),
        }


def person_name(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
