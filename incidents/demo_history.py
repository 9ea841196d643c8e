"""Ninety days of incident history for the demo, so the dashboard and last month's report tell a story:
incidents opened, answered and resolved in business hours of the work calendar (国庆 holidays and 调休
Saturdays included), a few SLA breaches, root causes, prevention actions, follow-ups done on time, late and
overdue.

History is fixture data written in bulk, as bench's seed_scale writes it: the services stamp `now` and would
take half a minute for a few hundred incidents on SQLite, while this writes each incident, its checklist,
its timeline (with the times the story says) and its follow-ups in a handful of INSERTs, keeping every rule
the services keep (references from the sequence, SLA due times from the calendar, root cause and resolution
on resolved incidents, a reviewer on closed ones). Incidents opened today go through the services (demo.py)."""
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import sla
from .access import default_team
from .models import (
    EventKind,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentSequence,
    IncidentStatus,
    IncidentStep,
    Playbook,
    RootCauseCategory,
    Severity,
)

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
    (IncidentCategory.CREDIT_EXCEEDED, "quota", "开票额度不足无法开具",
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
    targets = {sev: sla.targets_for(sev) for sev in Severity.values}
    causes = {c.code: c for c in RootCauseCategory.objects.all()}
    steps = {p.category: list(p.steps.all()) for p in Playbook.objects.filter(active=True).prefetch_related("steps")}
    reps = [users[name] for name in ("cs", "cs2") if name in users]
    teams = {rep.pk: default_team(rep) for rep in reps}
    manager = users["manager"]
    today = timezone.localdate(now)
    plans = []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        working = spec.is_working_day(day)
        # A desk is busiest on working days; every fourth day off brings a platform outage reported by the
        # night shift, so holidays, weekends and 调休 show in the charts.
        n = rng.choice((1, 2, 2, 3, 4)) if working else (1 if back % 4 == 0 else 0)
        for k in range(n):
            story = STORIES[rng.choices(range(len(STORIES)), WEIGHTS)[0]] if working else STORIES[2]
            detected = (_working_moment(rng, day, spec) if working
                        else spec._window(day)[0] + timedelta(hours=rng.randint(0, 11)))
            plans.append(_plan(rng, story, detected, now, spec, targets, reps, customers, f"{MARK}:{day}:{k}"))
    plans.sort(key=lambda p: p["detected"])
    _write(plans, now, causes, steps, teams, manager, rng, spec)
    return len(plans)


def _plan(rng, story, detected, now, spec, targets, reps, customers, key):
    category, cause_code, title, root_cause, resolution = story
    severity = (Severity.SEV1 if category == IncidentCategory.PLATFORM_OUTAGE
                else rng.choice([Severity.SEV2, Severity.SEV3, Severity.SEV3, Severity.SEV4]))
    response_hours, resolve_hours = targets[severity]
    # Most answers come well inside the target; about one in twelve is late (a busy morning, a sick day), and
    # one resolution in ten.
    late, resolve_late = rng.random() < 0.08, rng.random() < 0.1
    first = sla.add_business_time(detected, timedelta(
        hours=float(response_hours) * (rng.uniform(1.1, 2.0) if late else rng.uniform(0.1, 0.8))), spec)
    resolved = sla.add_business_time(detected, timedelta(
        hours=float(resolve_hours) * (rng.uniform(1.1, 1.6) if resolve_late else rng.uniform(0.15, 0.9))), spec)
    done = resolved < now - timedelta(hours=2)
    closed = resolved + timedelta(hours=rng.randint(2, 30)) if done and resolved < now - timedelta(days=3) else None
    response_due = sla.add_business_time(detected, sla.hours(response_hours), spec)
    resolve_due = sla.add_business_time(detected, sla.hours(resolve_hours), spec)
    return {
        "key": key, "category": category, "cause": cause_code, "title": title, "root_cause": root_cause,
        "resolution": resolution, "severity": severity, "owner": rng.choice(reps), "detected": detected,
        "customer": (rng.choice(customers) if customers and category != IncidentCategory.PLATFORM_OUTAGE else None),
        "fault": detected - timedelta(minutes=rng.randint(10, 240)) if rng.random() < 0.5 else None,
        "first": first if first < now else None, "resolved": resolved if done else None,
        "closed": closed if closed and closed < now else None, "response_due": response_due,
        "resolve_due": resolve_due,
    }


def _references(plans):
    by_year = {}
    for plan in plans:
        by_year.setdefault(timezone.localtime(plan["detected"]).year, []).append(plan)
    for year, group in by_year.items():
        seq, _created = IncidentSequence.objects.select_for_update().get_or_create(year=year)
        for plan in group:
            seq.last += 1
            plan["reference"] = f"INC-{year}-{seq.last:06d}"
        seq.save(update_fields=["last"])


def _write(plans, now, causes, steps, teams, manager, rng, spec):
    _references(plans)
    S = IncidentStatus
    incidents = []
    for p in plans:
        status = S.CLOSED if p["closed"] else S.RESOLVED if p["resolved"] else S.INVESTIGATING
        resolved = status != S.INVESTIGATING
        incidents.append(Incident(
            reference=p["reference"], title=p["title"], category=p["category"], severity=p["severity"],
            kind="fault" if p["category"] == IncidentCategory.PLATFORM_OUTAGE else "complaint", status=status,
            customer=p["customer"], team=teams[p["owner"].pk], owner=p["owner"], created_by=p["owner"],
            created_at=p["detected"], detected_at=p["detected"], fault_started_at=p["fault"],
            first_response_at=p["first"], resolved_at=p["resolved"], closed_at=p["closed"],
            reviewed_by=manager if p["closed"] else None, reviewed_at=p["closed"],
            response_due_at=p["response_due"], resolve_due_at=p["resolve_due"], source_key=p["key"],
            root_cause_category=causes[p["cause"]] if resolved else None,
            root_cause=p["root_cause"] if resolved else "", resolution=p["resolution"] if resolved else "",
        ))
    Incident.objects.bulk_create(incidents)
    if not all(i.pk for i in incidents):  # backends that do not return ids from a bulk insert
        ids = dict(Incident.objects.filter(source_key__startswith=MARK).values_list("source_key", "pk"))
        for incident in incidents:
            incident.pk = incident.id = ids[incident.source_key]
    events, checklist, followups = [], [], []
    for p, incident in zip(plans, incidents):
        owner = p["owner"]
        events.append(IncidentEvent(incident=incident, kind=EventKind.CREATED, actor=owner, at=p["detected"],
                                    message_code="incident.opened", params={"ref": incident.reference},
                                    data={"category": p["category"], "severity": p["severity"], "invoice_ids": []}))
        if p["first"]:
            events.append(IncidentEvent(incident=incident, kind=EventKind.STATUS_CHANGE, actor=owner, at=p["first"],
                                        message_code="incident.status", params={"a": "new", "b": "investigating"},
                                        data={"from": "new", "to": "investigating"}))
        if p["resolved"]:
            events.append(IncidentEvent(
                incident=incident, kind=EventKind.STATUS_CHANGE, actor=owner, at=p["resolved"],
                message_code="incident.status", params={"a": "investigating", "b": "resolved"},
                data={"from": "investigating", "to": "resolved",
                                                    "root_cause_category": p["cause"]}))
        if p["closed"]:
            events.append(IncidentEvent(incident=incident, kind=EventKind.REVIEW, actor=manager, at=p["closed"],
                                        message_code="incident.review.closed", params={},
                                        data={"approved": True, "to": "closed"}))
        for step in steps.get(p["category"], []):
            done_at = p["resolved"] or (p["first"] if step.position <= 2 else None)
            checklist.append(IncidentStep(incident=incident, position=step.position, title=step.title,
                                          help_text=step.help_text, records_prevention=step.records_prevention,
                                          done_at=done_at, done_by=owner if done_at else None))
        followups += _follow_ups(rng, incident, p, owner, manager, now, spec)
    IncidentEvent.objects.bulk_create(events)
    IncidentStep.objects.bulk_create(checklist)
    FollowUp.objects.bulk_create(followups)


def _follow_ups(rng, incident, p, owner, manager, now, spec):
    out = []
    detected = p["detected"]
    if rng.random() < 0.5:
        due = sla.add_business_time(detected, timedelta(hours=rng.choice((4, 9, 18))), spec)
        completed = None
        if due < now:
            outcome = rng.random()
            if outcome < 0.75:
                completed = due - timedelta(hours=1)
            elif outcome < 0.92:
                completed = due + timedelta(hours=rng.randint(2, 30))
        if completed is not None and completed > now:
            completed = None
        out.append(FollowUp(
            incident=incident, customer=incident.customer, team=incident.team, title="回访客户确认发票可查",
            assignee=owner, assigned_by=owner, due_at=due, created_at=detected,
            status=FollowUpStatus.DONE if completed else FollowUpStatus.OPEN, completed_at=completed))
    if p["resolved"] and rng.random() < 0.25:
        due = p["resolved"] + timedelta(days=rng.randint(7, 30))
        finished = due - timedelta(days=2) if due < now and rng.random() < 0.7 else None
        out.append(FollowUp(
            incident=incident, team=incident.team, title=rng.choice([
                "同步任务增加失败告警", "开票界面增加税号校验位检查", "订阅税局平台维护公告", "额度使用达 80% 时提醒财务"]),
            assignee=rng.choice([owner, manager]), assigned_by=owner, due_at=due, created_at=p["resolved"],
            kind=FollowUpKind.PREVENTION, status=FollowUpStatus.DONE if finished else FollowUpStatus.OPEN,
            completed_at=finished))
    return out
