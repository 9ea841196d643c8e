"""The benchmark commands keep working as the models grow: seed_scale writes rows the models accept (a new
column without a value would stop it), bench prints its table over them, and bench_reconcile finds exactly the
discrepancies it planted. Small sizes; the figures themselves are not asserted (they are the README's)."""
import ast
import io
import re

import pytest
from django.core.management import call_command

from incidents.models import FollowUp, Incident, Team
from invoices.ledger.models import Invoice

pytestmark = pytest.mark.django_db


def _run(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_seed_scale_then_bench_prints_every_row():
    _run("seed_scale", invoices=400, incidents=120, customers=40, reps=4)
    assert Invoice.objects.count() >= 400
    assert Incident.objects.count() == 120
    # Incidents belong to their owner's team (unowned ones to the shared queue), follow-ups to their incident's.
    owned = Incident.objects.exclude(owner=None)
    assert owned.exists() and not owned.filter(team=None).exists()
    for incident in owned.select_related("team")[:30]:
        assert incident.team.members.filter(pk=incident.owner_id).exists()
    assert not Incident.objects.filter(owner=None).exclude(team=None).exists()
    for followup in FollowUp.objects.select_related("incident")[:30]:
        assert followup.team_id == followup.incident.team_id
    assert set(Team.objects.values_list("name", flat=True)) >= {"北京组", "上海组"}

    text = _run("bench", runs=1, skip=["api"], import_rows=20, reconcile_rows=300)
    for label in ("admin invoices: first page", "admin invoice page", "admin incident page (200 events)",
                  "admin my follow-ups", "admin dashboard", "invoice import (20 rows)", "reconciliation (300 rows)"):
        assert label in text, text
    assert "NOT met" in text or " met" in text


def test_bench_reconcile_finds_what_it_planted():
    text = _run("bench_reconcile", rows=5000)
    found = re.search(r"^discrepancies\s+(\{.*?\})\s+\(expected (\{.*?\})\)", text, re.M)
    counts, expected = ast.literal_eval(found.group(1)), ast.literal_eval(found.group(2))
    assert expected["missing_in_ledger"] == 5 and expected["unreadable"] == 1
    for kind, n in expected.items():
        assert counts[kind] == n, (kind, counts, expected)
    assert re.search(r"^ratio\s+[\d.]+ ×", text, re.M)


def test_bench_reconcile_breakdown_times_every_phase_and_finds_the_same():
    text = _run("bench_reconcile", rows=3000, breakdown=True)
    found = re.search(r"^discrepancies\s+(\{.*?\})\s+\(expected (\{.*?\})\)", text, re.M)
    counts, expected = ast.literal_eval(found.group(1)), ast.literal_eval(found.group(2))
    for kind, n in expected.items():
        assert counts[kind] == n, (kind, counts, expected)
    for phase in ("load", "match"):
        assert re.search(rf"^phase {phase}\s+[\d.]+ s", text, re.M), text
    assert re.search(r"^\s+[\d.]+ s\s+\d+ × (SELECT|INSERT|CREATE|UPDATE)", text, re.M), text
