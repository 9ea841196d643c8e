"""The managers' dashboard: ECharts served from the project's static files, every figure from
incidents.reporting.metrics (the same code the periodic report uses), every bar a link to the admin list of
the incidents, follow-ups, reissues or discrepancies behind it."""
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ..models import Team
from ..reporting.formats import format_business, format_clock, format_percent, format_yuan
from ..reporting.metrics import Metrics
from ..reporting.periods import parse_period


QUICK_PERIODS = ("7", "30", "90")


class DashboardFilterForm(forms.Form):
    """统计周期 as a choice: the last 7, 30 or 90 days, or a period typed in (a month 2026-11, a week 2026-W48).
    A bare `period` (the links the dashboard and reports hand out) still works and picks the matching choice."""

    range = forms.ChoiceField(label=gettext_lazy("period"), required=False, initial="30", choices=[
        ("7", gettext_lazy("last 7 days")), ("30", gettext_lazy("last 30 days")), ("90", gettext_lazy("last 90 days")),
        ("custom", gettext_lazy("custom…"))])
    period = forms.CharField(label=gettext_lazy("custom period"), required=False,
                             help_text=gettext_lazy("a month as 2026-11 or a week as 2026-W48"),
                             widget=forms.TextInput(attrs={"size": 10, "placeholder": "2026-11"}))
    team = forms.ModelChoiceField(label=gettext_lazy("team"), queryset=Team.objects.all(), required=False,
                                  empty_label=gettext_lazy("all teams"))

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("range"):
            data = data.copy()
            typed = (data.get("period") or "30").strip()
            data["range"] = typed if typed in QUICK_PERIODS else "custom"
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("range") or "30"
        typed = (cleaned.get("period") or "").strip()
        if chosen == "custom" and not typed:
            self.add_error("period", _("Type the period: a month as 2026-11 or a week as 2026-W48."))
            return cleaned
        try:
            cleaned["period"] = parse_period(typed if chosen == "custom" else chosen)
        except ValidationError as exc:
            self.add_error("period", exc.message_dict["period"])
        return cleaned


def _url(name, params):
    return f"{reverse(name)}?{urlencode(params)}"


def _incidents(params):
    return _url("admin:incidents_incident_changelist", params)


def _pct(met, total):
    """A percentage point with its numerator and denominator; None (a gap) when nothing was measured."""
    return {"value": round(100 * met / total, 1) if total else None, "title": f"{met}/{total}"}


def _hours(seconds):
    return round(seconds / 3600, 2) if seconds is not None else None


def charts(data):
    """The ECharts series as plain data: [{id, title, kind, categories, series:[{name, data:[{value,url,title}]}]}]."""
    buckets = data["buckets"]
    cats = [f"{b['bucket']:%m-%d}" for b in buckets]
    grid = data["grid"]
    out = [
        {"id": "volume", "title": _("Incidents opened and resolved"), "kind": "bar", "categories": cats, "series": [
            {"name": _("opened"), "data": [{"value": b["opened"], "url": _incidents(b["links"]["opened"])}
                                           for b in buckets]},
            {"name": _("resolved"), "data": [{"value": b["resolved"], "url": _incidents(b["links"]["resolved"])}
                                             for b in buckets]}]},
        {"id": "open-grid", "title": _("Open incidents by category and severity"), "kind": "stack",
         "categories": [r["label"] for r in grid["rows"]], "series": [
            {"name": str(label), "data": [{"value": r["cells"][i]["n"], "url": _incidents(r["cells"][i]["link"])}
                                          for r in grid["rows"]]}
            for i, (_code, label) in enumerate(grid["severities"])]},
        {"id": "sla", "title": _("SLA attainment (%)"), "kind": "line", "categories": cats, "percent": True,
         "series": [
            {"name": pgettext("SLA target", "response"), "data": [{**_pct(b["response_met"], b["response_total"]),
                                              "url": _incidents(b["links"]["breached"])} for b in buckets]},
            {"name": pgettext("SLA target", "resolution"), "data": [{**_pct(b["resolve_met"], b["resolve_total"]),
                                                "url": _incidents(b["links"]["breached"])} for b in buckets]}]},
        {"id": "mttr", "title": _("MTTD and MTTR (business hours)"), "kind": "line", "categories": cats, "series": [
            {"name": _("MTTD"), "data": [{"value": _hours(b["mttd"]), "title": format_business(b["mttd"]),
                                          "url": _incidents(b["links"]["resolved"])} for b in buckets]},
            {"name": _("MTTR"), "data": [{"value": _hours(b["mttr"]), "title": format_business(b["mttr"]),
                                          "url": _incidents(b["links"]["resolved"])} for b in buckets]}]},
        _simple("root-causes", _("Top root causes"), data["root_causes"], "admin:incidents_incident_changelist"),
        _simple("overdue", _("Overdue follow-ups by assignee"), data["overdue"], "admin:incidents_followup_changelist"),
        _simple("reissues", _("Reissues by reason"), data["reissues"], "admin:invoices_reissuerequest_changelist",
                title=lambda r: _("%(n)d requested, %(completed)d completed, %(failed)d failed; red invoices "
                                  "%(amount)s") % {"n": r["n"], "completed": r["completed"], "failed": r["failed"],
                                                   "amount": format_yuan(r["amount"])}),
        _simple("discrepancies", _("Reconciliation discrepancies by kind"), data["discrepancies"],
                "admin:invoices_discrepancy_changelist"),
    ]
    return out


def _simple(chart_id, heading, rows, changelist, title=None):
    return {"id": chart_id, "title": heading, "kind": "hbar", "categories": [r["label"] for r in rows], "series": [
        {"name": heading, "data": [{"value": r["n"], "url": _url(changelist, r["link"]),
                                    **({"title": title(r)} if title else {})} for r in rows]}]}


def tiles(headline):
    h = headline
    return [
        {"label": _("opened"), "value": h["opened"], "url": _incidents(h["links"]["opened"])},
        {"label": _("resolved"), "value": h["resolved"], "url": _incidents(h["links"]["resolved"])},
        {"label": _("open now"), "value": h["open_now"], "url": _incidents(h["links"]["open_now"])},
        {"label": _("response within SLA"), "value": format_percent(h["response_met"], h["response_total"]),
         "title": f"{h['response_met']}/{h['response_total']}",
         "url": _incidents(h["links"]["breached"])},
        {"label": _("resolved within SLA"), "value": format_percent(h["resolve_met"], h["resolve_total"]),
         "title": f"{h['resolve_met']}/{h['resolve_total']}",
         "url": _incidents(h["links"]["breached"])},
        {"label": _("SLA breached"), "value": h["breached"], "url": _incidents(h["links"]["breached"])},
        {"label": _("mean first response (business hours)"), "value": format_business(h["first_response"]),
         "url": _incidents(h["links"]["opened"])},
        {"label": _("MTTD (business hours)"), "value": format_business(h["mttd"]),
         "url": _incidents(h["links"]["opened"])},
        {"label": _("MTTR (business hours)"), "value": format_business(h["mttr"]),
         "url": _incidents(h["links"]["resolved"])},
        {"label": _("platform outages, fault to recovery (clock hours)"), "value": format_clock(h["outage"]),
         "title": _("%(n)d outages") % {"n": h["outages"]}, "url": _incidents(h["links"]["outages"])},
    ]


def check_tiles(found):
    """The platform checks' share of invoice incidents found before the customer called, and their MTTD."""
    return [
        {"label": _("invoice incidents found by a platform check before the customer"),
         "value": format_percent(found["found"], found["total"]), "title": f"{found['found']}/{found['total']}",
         "url": _incidents(found["link"])},
        {"label": _("MTTD, last good platform check to incident (clock hours)"), "value": format_clock(found["mttd"]),
         "title": f"{found['measured']}", "url": _incidents(found["link"])},
    ]


def people_rows(people):
    return [{
        "label": p["label"], "handled": p["handled"], "url": _incidents(p["link"]),
        "first_response": format_business(p["first_response"]), "resolution": format_business(p["resolution"]),
        "response": format_percent(p["response_met"], p["response_total"]),
        "response_title": f"{p['response_met']}/{p['response_total']}",
        "resolve": format_percent(p["resolve_met"], p["resolve_total"]),
        "resolve_title": f"{p['resolve_met']}/{p['resolve_total']}",
        "followups": format_percent(p["followups_on_time"], p["followups_total"]),
        "followups_title": f"{p['followups_on_time']}/{p['followups_total']}",
    } for p in people]


def satisfaction_rows(satisfaction):
    """CSAT and response rate as tiles and per team / category rows, numerator/denominator on hover."""
    def row(r):
        return {"label": r.get("label", ""), "url": _incidents(r["link"]),
                "csat": format_percent(r["satisfied"], r["answered"]), "csat_title": f"{r['satisfied']}/{r['answered']}",
                "rate": format_percent(r["answered"], r["sent"]), "rate_title": f"{r['answered']}/{r['sent']}"}
    return {"total": row(satisfaction["total"]), "by_team": [row(r) for r in satisfaction["by_team"]],
            "by_category": [row(r) for r in satisfaction["by_category"]]}


def dashboard_view(model_admin, request):
    # Managers only (review_incident), as the API's reporting endpoint.
    if not request.user.has_perm("incidents.review_incident"):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    status = 200
    if request.GET and not form.is_valid():
        period, team, status = parse_period("30"), None, 400
    elif request.GET:
        period, team = form.cleaned_data["period"], form.cleaned_data["team"]
    else:
        period, team = parse_period("30"), None
    data = Metrics(period=period, team=team).everything()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Incident dashboard"), "opts": model_admin.model._meta, "form": form, "period": period,
        "team": team, "tiles": tiles(data["headline"]) + check_tiles(data["found_by_check"]), "charts": charts(data), "people": people_rows(data["people"]),
        "satisfaction": satisfaction_rows(data["satisfaction"]),
    }
    return TemplateResponse(request, "admin/incidents/dashboard.html", context, status=status)
