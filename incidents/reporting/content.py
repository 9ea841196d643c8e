"""What the periodic report says, section by section, as rows of plain values both writers (XLSX, PDF) lay
out. Every figure comes from Metrics, as on the dashboard, so the report and the page agree."""
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import Incident
from ..models.sla_breach import breached_q
from .formats import format_business, format_clock, percent_figure, yuan_figure
from .metrics import Metrics, person_name


def _change(now, before):
    if now is None or before is None:
        return ""
    diff = now - before
    return f"{diff:+d}" if isinstance(diff, int) else f"{diff:+.1f}"


def _points(now, before):
    """A change of a percentage, in percentage points (个百分点), never a bare "-1.5"."""
    change = _change(now, before)
    return _("%(change)s percentage points") % {"change": change} if change else ""


def _line(text):
    # The first line of a long text, shortened visibly (…): the report links the incident for the rest.
    return Truncator((text or "").strip().splitlines()[0]).chars(120) if (text or "").strip() else ""


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class Section:
    def __init__(self, key, title, header, rows, chart=None):
        self.key, self.title, self.header, self.rows, self.chart = key, title, header, rows, chart


def build_sections(*, period, team=None, now=None):
    now = now or timezone.now()
    m, prev = Metrics(period=period, team=team, now=now), Metrics(period=period.previous(), team=team, now=now)
    h, p = m.headline(), prev.headline()
    pct = lambda met, total: round(100 * met / total, 1) if total else None  # noqa: E731
    headline_rows = [
        (_("opened"), h["opened"], p["opened"], _change(h["opened"], p["opened"])),
        (_("resolved"), h["resolved"], p["resolved"], _change(h["resolved"], p["resolved"])),
        (_("response within SLA"), percent_figure(h["response_met"], h["response_total"]),
         percent_figure(p["response_met"], p["response_total"]),
         _points(pct(h["response_met"], h["response_total"]), pct(p["response_met"], p["response_total"]))),
        (_("resolved within SLA"), percent_figure(h["resolve_met"], h["resolve_total"]),
         percent_figure(p["resolve_met"], p["resolve_total"]),
         _points(pct(h["resolve_met"], h["resolve_total"]), pct(p["resolve_met"], p["resolve_total"]))),
        (_("SLA breached"), h["breached"], p["breached"], _change(h["breached"], p["breached"])),
        (_("mean first response (business hours)"), format_business(h["first_response"]),
         format_business(p["first_response"]), ""),
        (_("MTTD (business hours)"), format_business(h["mttd"]), format_business(p["mttd"]), ""),
        (_("MTTR (business hours)"), format_business(h["mttr"]), format_business(p["mttr"]), ""),
        (_("platform outages, fault to recovery (clock hours)"), format_clock(h["outage"], h["outages"]),
         format_clock(p["outage"], p["outages"]), ""),
        (_("open now"), h["open_now"], "", ""),
    ]
    buckets = m.per_bucket()
    durations = m.durations()
    longest_ids = sorted(durations["mttr"], key=lambda pk: -durations["mttr"][pk])[:10]
    incidents = Incident.objects.in_bulk(longest_ids)
    longest = [(incidents[pk].reference, incidents[pk].title, format_business(durations["mttr"][pk]),
                str(incidents[pk].root_cause_category or ""), _line(incidents[pk].root_cause)) for pk in longest_ids]
    breached = (m.opened().filter(breached_q(now))
                .select_related("root_cause_category", "owner").order_by("created_at", "id"))
    breach_rows = [(i.reference, i.title, _local(i.created_at), _missed(i, now),
                    _line(i.root_cause) or str(i.root_cause_category or "") or _("not yet known"))
                   for i in breached]
    as_of = m.as_of()
    overdue = m.overdue().select_related("assignee", "incident").order_by("due_at", "id")
    prevention = m.prevention_actions()
    reissues = m.reissues()
    satisfaction = m.satisfaction()
    return [
        Section("headline", _("Headline figures"), [_("figure"), _("this period"), _("previous period"), _("change")],
                headline_rows),
        Section("trend", _("Incidents opened and resolved"),
                [_("from"), _("opened"), _("resolved"), _("response within SLA"), _("resolved within SLA"),
                 _("MTTR (business hours)")],
                [(f"{b['bucket']:%Y-%m-%d}", b["opened"], b["resolved"],
                  percent_figure(b["response_met"], b["response_total"]),
                  percent_figure(b["resolve_met"], b["resolve_total"]), format_business(b["mttr"])) for b in buckets],
                chart={"categories": [f"{b['bucket']:%m-%d}" for b in buckets],
                       "series": [(_("opened"), [b["opened"] for b in buckets]),
                                  (_("resolved"), [b["resolved"] for b in buckets])]}),
        Section("longest", _("Ten longest incidents"),
                [_("incident"), _("title"), _("resolution time (business hours)"), _("root-cause category"),
                 _("root cause")], longest),
        Section("breaches", _("SLA breaches"), [_("incident"), _("title"), _("opened"), _("target missed"), _("cause")],
                breach_rows),
        _counted("root_causes", _("Top root causes"), _("root-cause category"), m.root_causes()),
        Section("reissues", _("Reissues by reason"),
                [_("reason"), _("requested"), _("completed"), _("failed or lapsed"),
                 _("credited by red invoices (completed)")],
                [(r["label"], r["n"], r["completed"], r["failed"], yuan_figure(r["amount"])) for r in reissues],
                chart=_chart(reissues)),
        _counted("discrepancies", _("Reconciliation discrepancies by kind"), _("kind"), m.discrepancies()),
        Section("overdue", _("Follow-ups overdue at %(at)s") % {"at": _local(as_of)},
                [_("follow-up"), _("incident"), _("assignee"), _("due at")],
                [(f.title, f.incident.reference if f.incident else "", person_name(f.assignee), _local(f.due_at))
                 for f in overdue]),
        Section("prevention", _("Prevention actions"), [_("prevention action"), _("incident"), _("owner"), _("due at"),
                                                         _("state")],
                [(f.title, f.incident.reference if f.incident else "", person_name(f.assignee), _local(f.due_at),
                  _("overdue") if f.is_overdue(now) else f.get_status_display()) for f in prevention]),
        Section("people", _("Per person"),
                [_("person"), _("incidents handled"), _("mean first response"), _("mean resolution"),
                 _("response within SLA"), _("resolved within SLA"), _("follow-ups done on time")],
                [(p_["label"], p_["handled"], format_business(p_["first_response"]), format_business(p_["resolution"]),
                  percent_figure(p_["response_met"], p_["response_total"]),
                  percent_figure(p_["resolve_met"], p_["resolve_total"]),
                  percent_figure(p_["followups_on_time"], p_["followups_total"])) for p_ in m.people()]),
        Section("satisfaction", _("Customer satisfaction"),
                [_("team or category"), _("surveys sent"), _("answers"), _("CSAT (ratings of 4–5)"),
                 _("survey response rate")],
                [(label, r["sent"], r["answered"], percent_figure(r["satisfied"], r["answered"]),
                  percent_figure(r["answered"], r["sent"]))
                 for label, r in [(_("all"), satisfaction["total"])]
                 + [(r["label"], r) for r in satisfaction["by_team"] + satisfaction["by_category"]]]),
    ]


def _missed(incident, now):
    missed = [label for breached, label in ((incident.response_breached(now), pgettext("SLA target", "response")),
                                            (incident.resolve_breached(now), pgettext("SLA target", "resolution")))
              if breached]
    return " / ".join(missed)


def _chart(rows):
    return {"categories": [r["label"] for r in rows], "series": [("n", [r["n"] for r in rows])]} if rows else None


def _counted(key, title, label, rows):
    return Section(key, title, [label, _("count")], [(r["label"], r["n"]) for r in rows], chart=_chart(rows))
