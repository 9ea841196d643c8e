"""The 管理报表 page's form: which period (a month, a week, or the last 7/30/90 days) and which team."""
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Team


def period_choices(today=None):
    today = today or timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    year, week, _day = today.isocalendar()
    ly, lw, _d = (today - timedelta(days=7)).isocalendar()
    return [
        (f"{last_month:%Y-%m}", _("last month (%(m)s)") % {"m": f"{last_month:%Y-%m}"}),
        (f"{today:%Y-%m}", _("this month so far (%(m)s)") % {"m": f"{today:%Y-%m}"}),
        (f"{ly}-W{lw:02d}", _("last week (%(w)s)") % {"w": f"{ly}-W{lw:02d}"}),
        (f"{year}-W{week:02d}", _("this week so far (%(w)s)") % {"w": f"{year}-W{week:02d}"}),
        ("7", _("the last 7 days")), ("30", _("the last 30 days")), ("90", _("the last 90 days")),
    ]


class ReportRequestForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=period_choices)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.order_by("name"), required=False,
                                  empty_label=_("all teams"))
