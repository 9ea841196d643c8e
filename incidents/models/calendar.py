from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .incident import Severity


class WorkCalendar(models.Model):
    """Working hours plus the exceptions of the Chinese calendar: public holidays on weekdays and
    调休 make-up working days on weekends. The default calendar counts every SLA."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    day_start = models.TimeField(_("working day starts"), default=time(9, 0))
    day_end = models.TimeField(_("working day ends"), default=time(18, 0))
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=13, default="1,2,3,4,5",
        help_text=_("ISO weekdays, 1 = Monday … 7 = Sunday, comma separated."),
    )

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"),
            models.CheckConstraint(condition=Q(day_end__gt=models.F("day_start")), name="calendar_day_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            days = self.weekday_set()
        except ValueError:
            days = None
        if not days or not days <= set(range(1, 8)):
            raise ValidationError({"working_weekdays": _("Use numbers 1–7 separated by commas.")})

    def weekday_set(self):
        return {int(p) for p in self.working_weekdays.split(",") if p.strip()}


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday (no work)")
    WORKDAY = "workday", _("make-up working day (调休)")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    kind = models.CharField(pgettext_lazy("calendar day", "kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 国庆节"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["calendar_id", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class SlaTarget(models.Model):
    """Response and resolution targets of one severity, in business hours."""

    severity = models.CharField(_("severity"), max_length=4, choices=Severity.choices, unique=True)
    response_hours = models.DecimalField(_("response within (business hours)"), max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(_("resolve within (business hours)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["severity"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_hours__gt=0) & Q(resolution_hours__gte=models.F("response_hours")),
                name="sla_target_positive",
            ),
        ]

    def __str__(self):
        return self.get_severity_display()
