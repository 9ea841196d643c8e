"""Ninety days of incident history for the demo, so the dashboard and last month's report tell a story:
incidents opened, answered and resolved in business hours of the work calendar (国庆 holidays and 调休
Saturdays included), a few SLA breaches, root causes, prevention actions, follow-ups done on time, late and
overdue.

Incidents are opened, moved and resolved through the services, then their times are set to when the story
says it happened (the services stamp `now`): this is fixture history, as bench's seed_scale writes it. The
append-only timeline keeps the seed's own times."""
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import (
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    IncidentStatus,
    RootCauseCategory,
    Severity,
)
from .services import sla
from .services.incidents import incident_open, incident_review, incident_transition

MARK = "demo-history"
DAYS = 90
# category, root-cause code, title, root cause, resolution
STORIES = [
    (IncidentCategory.INVOICE_MISSING, "sync_job_failed", "客户反映发票在税务系统查不到",
     "上传任务超时后未重试，发票停留在待同步", "重新推送同步，平台已可查，已电话告知客户"),
    (IncidentCategory.SYNC_FAILURE, "sync_job_failed", "批量开票后同步失败",
     "同步任务队列积压，重试次数耗尽", "清理队列后重推，全部同步成功"),
    (IncidentCategory.PLATFORM_OUTAGE, "platform_fault", "税局查询系统维护，发票暂不可查",
     "省局平台计划外维护", "平台恢复后统一重推并逐张核对"),
    (IncidentCategory.DATA_ENTRY_ERROR, "data_entry", "购方税号录入错误",
     "开票时购方税号少录一位", "红冲后按正确税号重开，客户已确认"),
    (IncidentCategory.NETWORK, "network", "开票终端网络中断",
     "机房出口线路故障", "切换备用线路后补传"),
    (IncidentCategory.PERMISSION, "permission", "开票员账号无权限上传",
     "开票员授权到期未续", "办理授权续期后重新上传"),
    (IncidentCategory.OTHER, "quota", "开票额度不足无法开具",
     "月度开票额度用尽", "申请临时调增额度后开具"),
]
WEIGHTS = [30, 20, 8, 18, 8, 6, 5]


def _working_moment(rng, day, spec):
    opens, _closes = spec._window(day)
    return opens + timedelta(minutes=rng.randint(0, 8 * 60))


@transaction.atomic
def seed_history(*, users, customers, now=None, seed=20261204):
    """Idempotent: does nothing once the history exists."""
    if Incident.objects.filter(source_key__startswith=MARK).exists():
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    spec = sla.load_calendar()
    causes = {c.code: c for c in RootCauseCategory.objects.all()}
    reps = [users[name] for name in ("cs", "cs2") if name in users]
    manager = users["manager"]
    today = timezone.localdate(now)
    count = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        working = spec.is_working_day(day)
        # A desk is busiest on working days; a holiday sees the odd platform outage reported by the night shift.
        n = rng.choice((1, 2, 2, 3, 4)) if working else (1 if back % 4 == 0 else 0)
        for k in range(n):
            story = STORIES[0 if not working else rng.choices(range(len(STORIES)), WEIGHTS)[0]]
            if not working:
                story = STORIES[2]
            detected = (_working_moment(rng, day, spec) if working
                        else spec._window(day)[0] + timedelta(hours=rng.randint(0, 11)))
            count += _one(rng, story, detected, now, spec, reps, manager, customers, causes, f"{MARK}:{day}:{k}")
    return count


def _one(rng, story, detected, now, spec, reps, manager, customers, causes, key):
    category, cause_code, title, root_cause, resolution = story
    owner = rng.choice(reps)
    severity = (Severity.SEV1 if category == IncidentCategory.PLATFORM_OUTAGE
                else rng.choice([Severity.SEV2, Severity.SEV3, Severity.SEV3, Severity.SEV4]))
    customer = rng.choice(customers) if customers and category != IncidentCategory.PLATFORM_OUTAGE else None
    incident = incident_open(actor=owner, title=title, category=category, severity=severity, customer=customer,
                             source_key=key)
    response_hours, resolve_hours = sla.targets_for(severity)
    # Most answers come well inside the target; about one in twelve is late (a busy morning, a sick day).
    late = rng.random() < 0.08
    first = sla.add_business_time(detected, timedelta(
        hours=float(response_hours) * (rng.uniform(1.1, 2.0) if late else rng.uniform(0.1, 0.8))), spec)
    resolve_late = rng.random() < 0.1
    resolved = sla.add_business_time(detected, timedelta(
        hours=float(resolve_hours) * (rng.uniform(1.1, 1.6) if resolve_late else rng.uniform(0.15, 0.9))), spec)
    fault = detected - timedelta(minutes=rng.randint(10, 240)) if rng.random() < 0.5 else None
    incident_transition(incident=incident, to=IncidentStatus.INVESTIGATING, actor=owner)
    done = resolved < now - timedelta(hours=2)
    if done:
        incident_transition(incident=incident, to=IncidentStatus.RESOLVED, actor=owner, root_cause=root_cause,
                            resolution=resolution, root_cause_category=causes[cause_code])
        if resolved < now - timedelta(days=3):
            incident_review(incident=incident, actor=manager, approve=True, comment="复核通过")
    response_due, resolve_due = sla.due_times(severity, detected, spec)
    closed = resolved + timedelta(hours=rng.randint(2, 30)) if done and resolved < now - timedelta(days=3) else None
    Incident.objects.filter(pk=incident.pk).update(
        created_at=detected, detected_at=detected, fault_started_at=fault,
        first_response_at=first if first < now else None, response_due_at=response_due, resolve_due_at=resolve_due,
        resolved_at=resolved if done else None, closed_at=closed, reviewed_at=closed,
    )
    _follow_ups(rng, incident, owner, manager, detected, now, spec, done)
    return 1


def _follow_ups(rng, incident, owner, manager, detected, now, spec, done):
    if rng.random() < 0.5:
        due = sla.add_business_time(detected, timedelta(hours=rng.choice((4, 9, 18))), spec)
        if due < now:
            outcome = rng.random()
            completed = (due - timedelta(hours=1) if outcome < 0.75 else due + timedelta(hours=rng.randint(2, 30))
                         if outcome < 0.92 else None)
        else:
            completed = None
        if completed is not None and completed > now:
            completed = None
        FollowUp.objects.create(
            incident=incident, customer=incident.customer, team=incident.team, title="回访客户确认发票可查",
            assignee=owner, assigned_by=owner, due_at=due, created_at=detected,
            status=FollowUpStatus.DONE if completed else FollowUpStatus.OPEN, completed_at=completed)
    if done and rng.random() < 0.25:
        due = detected + timedelta(days=rng.randint(7, 30))
        finished = due - timedelta(days=2) if due < now and rng.random() < 0.7 else None
        FollowUp.objects.create(
            incident=incident, team=incident.team, title=rng.choice([
                "同步任务增加失败告警", "开票界面增加税号校验位检查", "订阅税局平台维护公告", "额度使用达 80% 时提醒财务"]),
            assignee=rng.choice([owner, manager]), assigned_by=manager, due_at=due, created_at=detected,
            kind=FollowUpKind.PREVENTION, status=FollowUpStatus.DONE if finished else FollowUpStatus.OPEN,
            completed_at=finished)
