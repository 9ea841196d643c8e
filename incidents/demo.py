"""Demo data of the incident desk for `manage.py seed_demo`: calendar, SLA targets, playbooks, templates,
incidents in every state, communications and follow-ups due today and overdue. Built through the services;
running it again adds nothing that is already there."""
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from invoices.ledger.models import Customer, Invoice

from . import playbooks, sla
from .demo_history import seed_history
from .models import (
    CalendarDay,
    CalendarDayKind,
    Channel,
    CommunicationDirection,
    CommunicationTemplate,
    FollowUp,
    Incident,
    IncidentCategory,
    IncidentKind,
    IncidentStatus,
    Playbook,
    PlaybookStep,
    RootCauseCategory,
    Severity,
    SlaTarget,
    Team,
    WorkCalendar,
)
from .reference_data import HOLIDAYS, MAKEUP_DAYS, TEMPLATES
from .schedules import ensure_report_schedules, ensure_schedules
from .services.communications import communication_log
from .services.followups import followup_create
from .services.incidents import incident_open, incident_review, incident_transition
from .services.steps import incident_step_done


def seed_calendar():
    calendar, _created = WorkCalendar.objects.get_or_create(name="中国大陆工作日历", defaults={"is_default": True})
    for kind, groups in ((CalendarDayKind.HOLIDAY, HOLIDAYS), (CalendarDayKind.WORKDAY, MAKEUP_DAYS)):
        for name, days in groups.items():
            for d in days:
                CalendarDay.objects.get_or_create(calendar=calendar, date=date.fromisoformat(d),
                                                  defaults={"kind": kind, "name": name})
    for severity, (response, resolution) in sla.DEFAULT_TARGETS.items():
        SlaTarget.objects.get_or_create(severity=severity,
                                        defaults={"response_hours": response, "resolution_hours": resolution})
    return calendar


def seed_playbooks():
    for category, steps in playbooks.DEFAULT_STEPS.items():
        playbook, created = Playbook.objects.get_or_create(
            category=category, defaults={"name": str(IncidentCategory(category).label)})
        if created:
            PlaybookStep.objects.bulk_create(
                PlaybookStep(playbook=playbook, position=n, title=str(title), help_text=str(help_text),
                             records_prevention=title == playbooks.REVIEW[0])
                for n, (title, help_text) in enumerate(steps, start=1))


def seed_templates():
    for code, purpose, langs in TEMPLATES:
        for language, (name, subject, body) in langs.items():
            CommunicationTemplate.objects.get_or_create(
                code=code, language=language,
                defaults={"purpose": purpose, "name": name, "subject": subject, "body": body})


def _finish_checklist(incident, actor):
    for step in incident.steps.filter(done_at__isnull=True):
        prevention = {"prevention_action": "上传任务失败时自动告警并重试", "prevention_owner": actor,
                      "prevention_due_at": timezone.now() + timedelta(days=14)} if step.records_prevention else {}
        incident_step_done(step=step, actor=actor, **prevention)


def _incident(spec, users, customers, invoices_by_customer):
    if Incident.objects.filter(title=spec["title"]).exists():
        return None
    customer = customers[spec["customer"] % len(customers)]
    actor = users[spec.get("owner", "cs")]
    now = timezone.now()
    incident = incident_open(
        actor=actor, title=spec["title"], category=spec["category"], kind=spec.get("kind", IncidentKind.COMPLAINT),
        severity=spec["severity"], customer=customer, description=spec.get("description", ""),
        invoices=invoices_by_customer.get(customer.pk, [])[:2],
        fault_started_at=now - timedelta(hours=spec.get("age_hours", 2) + 1),
        detected_at=now - timedelta(hours=spec.get("age_hours", 2)),
    )
    for status in spec.get("path", []):
        kwargs = {}
        if status == IncidentStatus.RESOLVED:
            _finish_checklist(incident, actor)  # resolving needs the whole checklist
            kwargs = {"root_cause_category": RootCauseCategory.objects.get(code=spec.get("cause", "data_entry")),
                      "root_cause": spec.get("root_cause", "购方税号录入错误"),
                      "resolution": spec.get("resolution", "红冲后按正确税号重开，客户已确认可查")}
        incident_transition(incident=incident, to=status, actor=actor, note=spec.get("note", ""), **kwargs)
    if spec.get("close"):
        incident_review(incident=incident, actor=users["manager"], approve=True, comment="复核通过")
    return incident


INCIDENTS = [
    {"title": "客户反映北京开具的发票在税务系统查不到", "category": IncidentCategory.INVOICE_MISSING,
     "severity": Severity.SEV2, "customer": 0, "age_hours": 1},
    {"title": "发票查验提示信息不一致", "category": IncidentCategory.DATA_ENTRY_ERROR, "severity": Severity.SEV3,
     "customer": 1, "path": [IncidentStatus.INVESTIGATING], "age_hours": 30},
    {"title": "等待客户提供发票截图", "category": IncidentCategory.INVOICE_MISSING, "severity": Severity.SEV3,
     "customer": 2, "path": [IncidentStatus.INVESTIGATING, IncidentStatus.WAITING_CUSTOMER]},
    {"title": "税局查询系统维护，等待恢复", "category": IncidentCategory.PLATFORM_OUTAGE, "kind": IncidentKind.FAULT,
     "severity": Severity.SEV1, "customer": 3, "path": [IncidentStatus.WAITING_PLATFORM], "owner": "cs2"},
    {"title": "上传同步失败后已重推", "category": IncidentCategory.SYNC_FAILURE, "severity": Severity.SEV3,
     "customer": 4, "path": [IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED],
     "cause": "sync_job_failed", "root_cause": "平台接口超时，同步任务重试耗尽", "resolution": "手工重推同步，平台已可查"},
    {"title": "购方税号录入错误，已红冲重开", "category": IncidentCategory.DATA_ENTRY_ERROR, "severity": Severity.SEV2,
     "customer": 5, "path": [IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED], "close": True},
    {"title": "客户怀疑发票真伪", "category": IncidentCategory.AUTHENTICITY, "severity": Severity.SEV4,
     "customer": 6, "age_hours": 80},
]


@transaction.atomic
def seed_teams(users):
    """Two demo teams: `cs` in 北京组, `cs2` in 上海组, so each rep sees only their own team's incidents."""
    for name, username in (("北京组", "cs"), ("上海组", "cs2")):
        team, _created = Team.objects.get_or_create(name=name)
        if username in users:
            team.members.add(users[username])


def seed(*, users):
    ensure_schedules()
    ensure_report_schedules()
    seed_teams(users)
    seed_calendar()
    seed_playbooks()
    seed_templates()
    customers = list(Customer.objects.order_by("id")[:10])
    if not customers:
        return {"incidents": 0}
    invoices_by_customer = {}
    for pk, buyer_id in Invoice.objects.filter(buyer__in=customers, direction="blue").order_by("id").values_list(
            "pk", "buyer_id"):
        invoices_by_customer.setdefault(buyer_id, []).append(pk)
    created = [i for i in (_incident(s, users, customers, invoices_by_customer) for s in INCIDENTS) if i]
    seed_history(users=users, customers=customers)
    if created:
        now = timezone.now()
        first, second = created[0], created[1] if len(created) > 1 else created[0]
        communication_log(
            actor=users["cs"], customer=first.customer, incident=first, channel=Channel.PHONE,
            direction=CommunicationDirection.INBOUND, occurred_at=now - timedelta(minutes=50),
            contact=first.customer.contact_name or first.customer.name, subject="来电反映发票查不到",
            body="客户来电，已致歉，承诺今天下班前回电。", callback_at=now + timedelta(hours=3),
        )
        followup_create(actor=users["cs"], title="确认客户已能在税务系统查到发票", incident=second,
                        due_at=now - timedelta(hours=5), priority=3)
        followup_create(actor=users["manager"], assignee=users["cs2"], title="回访客户确认处理结果",
                        incident=created[2] if len(created) > 2 else first, due_at=now + timedelta(hours=1))
        followup_create(actor=users["cs2"], title="电话提醒客户查收重开发票", customer=customers[-1],
                        due_at=now - timedelta(days=2))
    return {"incidents": Incident.objects.count(), "follow_ups": FollowUp.objects.count(),
            "templates": CommunicationTemplate.objects.count(), "playbooks": Playbook.objects.count()}
