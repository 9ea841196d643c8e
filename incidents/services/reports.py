"""Building and sending the periodic management report (a Report row with its XLSX and PDF files).

The content is incidents.reporting.content, the same figures as the dashboard. Files go through the storage
API (Report.xlsx_file / pdf_file), so the admin and the email attach the very files that were built: the email names the stored files, and the
delivery job (mail.py) reads them when it goes out."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.ledger.models import Seller

from core.jobs import enqueue_on_commit

from ..models import Report, ReportKind, StaffEmailPurpose, Team
from ..reporting.content import build_sections
from ..reporting.pdf import write_pdf
from ..reporting.periods import last_month, last_week, parse_period
from ..reporting.xlsx import write_xlsx
from .mail import staff_email_send

FORMATS = ("xlsx", "pdf")


def report_title(period, team=None):
    title = _("Incident report %(period)s (%(range)s)") % {"period": period.key, "range": period.label}
    return f"{title} · {team}" if team is not None else title


def preparing_organisation():
    """编制单位: REPORT_ORGANISATION when set, else the issuing entities the desk serves."""
    configured = getattr(settings, "REPORT_ORGANISATION", "")
    if configured:
        return configured
    names = list(Seller.objects.order_by("name").values_list("name", flat=True)[:4])
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "")


def render_report(*, period, team=None, formats=FORMATS, now=None):
    """{format: bytes} in the site's language (the report goes to a Chinese management team by email)."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValidationError({"format": _("Choose from xlsx and pdf, comma separated.")})
    with translation.override(settings.LANGUAGE_CODE):
        sections = build_sections(period=period, team=team, now=now)
        title = report_title(period, team)
        subtitle = _("Prepared by: %(org)s　Prepared on: %(date)s") % {
            "org": preparing_organisation(), "date": timezone.localdate(now or timezone.now()).isoformat()}
        files = {}
        if "xlsx" in formats:
            files["xlsx"] = write_xlsx(sections, title=title, subtitle=subtitle)
        if "pdf" in formats:
            files["pdf"] = write_pdf(sections, title=title, empty_text=_("None in this period."), subtitle=subtitle)
    return files


@transaction.atomic
def report_build(*, period, kind=ReportKind.ON_DEMAND, actor=None, team=None, formats=FORMATS, now=None):
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("'%(v)s' is not a valid choice.") % {"v": kind}})
    files = render_report(period=period, team=team, formats=formats, now=now)
    report = Report.objects.create(kind=kind, period=period.key, period_start=period.first_day,
                                   period_end=period.last_day, team=team, created_by=actor)
    base = f"incident-report-{period.key}" + (f"-team{team.pk}" if team is not None else "")
    for fmt, content in files.items():
        getattr(report, f"{fmt}_file").save(f"{base}.{fmt}", ContentFile(content), save=False)
    report.save()
    return report


def manager_users():
    """Who receives the reports: active users allowed to review incidents (the 经理 group), with an email."""
    perm = Permission.objects.get(content_type__app_label="incidents", codename="review_incident")
    return (get_user_model().objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True)
            .exclude(email="").distinct().order_by("username"))


@transaction.atomic
def report_send(*, report):
    """Record the email of the report's files to the managers once (a StaffEmail naming the stored files) and hand
    it to the delivery job; a second call (a retried job) records nothing more. `sent_at` is set once it went out."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.sent_at is not None or report.emails.exists():
        return report
    users = list(manager_users())
    if not users:
        return report
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Incident report %(period)s") % {"period": report.period}
        body = _("The incident report for %(start)s – %(end)s is attached.") % {
            "start": report.period_start, "end": report.period_end}
    attachments = [{"report_id": report.pk, "format": fmt, "name": field.name.rsplit("/", 1)[-1]}
                   for fmt, field in (("xlsx", report.xlsx_file), ("pdf", report.pdf_file)) if field]
    staff_email_send(purpose=StaffEmailPurpose.REPORT, subject=subject, body=body,
                     recipients=[u.email for u in users], report=report, attachments=attachments)
    report.recipients.set(users)
    return report


def periodic_report_send(*, kind, today=None):
    """The scheduled job: last week's (weekly) or last month's (monthly) report, built once and sent once."""
    if kind not in (ReportKind.WEEKLY, ReportKind.MONTHLY):
        raise ValidationError({"kind": _("'%(v)s' is not a valid choice.") % {"v": kind}})
    period = last_week(today) if kind == ReportKind.WEEKLY else last_month(today)
    report = Report.objects.filter(kind=kind, period=period.key, team__isnull=True).order_by("id").first()
    if report is None:
        report = report_build(period=period, kind=kind)
    return report_send(report=report)


def report_request(*, period, team=None, actor):
    """A manager asks for a report from the 管理报表 page: checked now, built by a job (a month at scale takes
    longer than a web request may)."""
    if actor is None or not actor.has_perm("incidents.review_incident"):
        raise PermissionDenied
    period = parse_period(period)  # ValidationError naming the accepted forms
    return enqueue_on_commit("incidents.build_report", key=f"report:{period.key}:{team.pk if team else ''}",
                             period=period.key, team_id=team.pk if team else None, actor_id=actor.pk)


def report_build_requested(*, period, team_id=None, actor_id=None):
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return report_build(period=parse_period(period), kind=ReportKind.ON_DEMAND, actor=actor, team=team)
