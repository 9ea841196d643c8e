"""Scale fixture for the incident desk: incidents in every status with their checklists, timelines,
communications, follow-ups and affected invoices. Written with COPY like ledger.py, bypassing the services;
rows satisfy the constraints (closed ones are reviewed, resolved ones carry root cause and resolution,
references follow IncidentSequence, which is written back)."""
from datetime import timedelta

from django.utils import timezone

from bench.scale.ledger import weighted
from incidents.models import (
    Communication,
    FollowUp,
    Incident,
    IncidentEvent,
    IncidentSequence,
    IncidentStep,
    PlaybookStep,
    RootCauseCategory,
)

STATUSES = [("closed", 68), ("resolved", 8), ("new", 5), ("investigating", 9), ("waiting_customer", 6),
            ("waiting_platform", 4)]
PATH = ["new", "investigating", "waiting_customer", "investigating", "resolved", "closed"]
CATEGORIES = [("invoice_missing", 45), ("sync_failure", 20), ("platform_outage", 5), ("data_entry_error", 15),
              ("network", 5), ("permission", 3), ("authenticity", 2), ("other", 5)]
SEVERITIES = [("sev1", 2), ("sev2", 10), ("sev3", 60), ("sev4", 28)]
TITLES = {"invoice_missing": "客户反映发票在税务系统中查不到", "sync_failure": "发票上传税务平台失败",
          "platform_outage": "税务平台查询系统维护", "data_entry_error": "购方税号录入错误",
          "network": "开票终端网络中断", "permission": "开票员权限不足", "authenticity": "客户质疑发票真伪",
          "other": "其他问题"}
BIG_TIMELINE, BIG_EVERY = 200, 10_000  # every 10,000th incident has a 200-event timeline

INCIDENT_COLS = ["id", "reference", "title", "description", "kind", "category", "severity", "status",
                 "customer_id", "seller_id", "owner_id", "created_by_id", "created_at", "fault_started_at",
                 "detected_at", "platform_recovered_at", "customer_informed_at", "first_response_at", "resolved_at",
                 "closed_at", "root_cause", "resolution", "response_due_at", "resolve_due_at", "reviewed_by_id",
                 "reviewed_at", "source_key", "team_id", "opened_via", "root_cause_category_id", "duplicate_of_id"]
# Written as plain Chinese text (rows of before message codes): the pages render them as stored.
EVENT_COLS = ["id", "incident_id", "kind", "at", "recorded_at", "actor_id", "message", "message_code", "params",
              "data"]
STEP_COLS = ["id", "incident_id", "position", "title", "help_text", "done_at", "done_by_id", "records_prevention",
             "skip_reason"]
COMM_COLS = ["id", "customer_id", "incident_id", "invoice_id", "channel", "direction", "occurred_at", "contact",
             "subject", "body", "template_id", "delivery_status", "delivery_attempts", "delivery_error",
             "next_attempt_at", "sent_at", "callback_at", "created_by_id", "created_at", "attachments", "purpose"]
FOLLOWUP_COLS = ["id", "incident_id", "customer_id", "communication_id", "title", "notes", "assignee_id",
                 "assigned_by_id", "due_at", "priority", "status", "completed_at", "reminder_sent_at", "escalated_at",
                 "created_at", "team_id", "kind"]


def incidents(w, rng, *, count, reps, team_of, manager_id, invoices_first_id, buyer_of, buyers, seller_ids,
              days=365):
    """`team_of` maps a rep's id to their team's: an incident belongs to its owner's team, an unowned one sits
    in the shared queue, a follow-up belongs to its incident's team."""
    now = timezone.now()
    start_at = now - timedelta(days=days)
    step = timedelta(days=days) / max(count, 1)
    playbook = {}
    for s in PlaybookStep.objects.select_related("playbook").order_by("position"):
        playbook.setdefault(s.playbook.category, []).append((s.position, s.title, s.help_text,
                                                             s.records_prevention))
    causes = list(RootCauseCategory.objects.filter(active=True).values_list("pk", flat=True)) or [None]
    seqs = {row.year: row.last for row in IncidentSequence.objects.all()}
    ids = {m: w.next_id(m) for m in (Incident, IncidentEvent, IncidentStep, Communication, FollowUp)}
    link_table = Incident.invoices.through
    with w.table(Incident, INCIDENT_COLS) as ti, w.table(IncidentEvent, EVENT_COLS) as te, \
            w.table(IncidentStep, STEP_COLS) as ts, w.table(Communication, COMM_COLS) as tc, \
            w.table(FollowUp, FOLLOWUP_COLS) as tf, \
            w.table(link_table, ["incident_id", "invoice_id"]) as tm:

        def nxt(model):
            ids[model] += 1
            return ids[model] - 1

        def event(inc, kind, at, actor, message, data):
            te.add((nxt(IncidentEvent), inc, kind, at, at, actor, message, "", {}, data))

        for n in range(count):
            created = start_at + step * n + timedelta(seconds=rng.randint(0, 59))
            status = weighted(rng, STATUSES)
            if created > now - timedelta(days=3) and status in ("closed", "resolved"):
                status = "investigating"  # the newest incidents are still being worked
            category, severity = weighted(rng, CATEGORIES), weighted(rng, SEVERITIES)
            # Reps get uneven loads (rep 0 the most), as on a real desk.
            owner = reps[min(int(len(reps) * rng.random() ** 2), len(reps) - 1)] if status != "new" else None
            customer = seller = invoice = None
            if category != "platform_outage":
                invoice = invoices_first_id + rng.randrange(len(buyer_of))
                customer = buyers[buyer_of[invoice - invoices_first_id]][0]
                seller = seller_ids[invoice % len(seller_ids)]
            year = timezone.localtime(created).year
            seqs[year] = seqs.get(year, 0) + 1
            inc = nxt(Incident)
            response_due, resolve_due = created + timedelta(hours=4), created + timedelta(days=3)
            first_response = created + timedelta(minutes=rng.randint(5, 360)) if owner else None
            closed_like = status in ("resolved", "closed")
            resolved = created + timedelta(hours=rng.randint(4, 120)) if closed_like else None
            closed = resolved + timedelta(hours=rng.randint(1, 48)) if status == "closed" else None
            root, fix = ("平台同步延迟", "重新上传并核对成功") if closed_like else ("", "")
            ti.add((inc, f"INC-{year}-{seqs[year]:06d}", TITLES[category], "客户来电反映问题，详见时间线。",
                    "fault" if category in ("platform_outage", "network") else "complaint", category, severity,
                    status, customer, seller, owner, owner or reps[0], created,
                    created - timedelta(hours=1) if category == "platform_outage" else None, created,
                    resolved if category == "platform_outage" else None, first_response, first_response, resolved,
                    closed, root, fix, response_due, resolve_due, manager_id if closed else None, closed, "",
                    team_of.get(owner), "portal" if owner is None and category == "invoice_missing" else "staff",
                    rng.choice(causes) if closed_like else None, None))
            if invoice is not None:
                tm.add((inc, invoice))
            event(inc, "created", created, owner, "已创建", {"category": category, "severity": severity,
                                                             "invoice_ids": [invoice] if invoice else []})
            reached = PATH[: PATH.index(status) + 1] if status in PATH else ["new", status]
            span = ((closed or resolved or now) - created) / (len(reached) + 1)
            for i, (old, new) in enumerate(zip(reached, reached[1:]), 1):
                event(inc, "status_change", created + span * i, owner, f"{old} → {new}",
                      {"from": old, "to": new, "note": ""})
            for k in range(BIG_TIMELINE if n % BIG_EVERY == 0 else rng.randint(0, 3)):
                event(inc, "note", created + span * (k + 1) / (k + 2), owner, f"跟进记录 {k + 1}", {})
            for position, title, help_text, prevention in playbook.get(category, []):
                done = closed_like or rng.random() < 0.4
                ts.add((nxt(IncidentStep), inc, position, title, help_text, created + span if done else None,
                        owner if done else None, prevention, ""))
            if customer is None:
                continue
            comm = nxt(Communication)
            tc.add((comm, customer, inc, invoice, "phone", "inbound", created, "客户财务", "来电反映发票问题",
                    "客户称在税务系统中查不到发票。", None, "logged", 0, "", None, None,
                    created + timedelta(days=1), owner, created, [], ""))
            if closed_like:
                tc.add((nxt(Communication), customer, inc, invoice, "email", "outbound", resolved,
                        f"finance{customer}@customer{customer}.example.cn", "发票问题已处理", "您好，问题已解决。",
                        None, "sent", 1, "", None, resolved, None, owner, resolved, [], ""))
            if owner is not None and rng.random() < 0.6:
                due = created + timedelta(days=1)
                done = closed_like or due > now + timedelta(days=30)
                tf.add((nxt(FollowUp), inc, customer, comm, "回访客户确认发票状态", "", owner, owner,
                        due if not (not done and rng.random() < 0.5) else now + timedelta(hours=rng.randint(-48, 96)),
                        rng.choice((1, 2, 2, 3, 4)), "done" if done else "open", resolved if done else None,
                        None, None, created, team_of.get(owner), "callback"))
                event(inc, "follow_up", created, owner, "已安排回访", {})
    for year, last in seqs.items():
        IncidentSequence.objects.update_or_create(year=year, defaults={"last": last})
    for model in (Incident, IncidentEvent, IncidentStep, Communication, FollowUp):
        w.reset_sequence(model)
    # The link table has its own id sequence, filled by COPY's default.
