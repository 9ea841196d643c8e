"""docs/permissions.md is rendered from the access test's own table (tests/access_table.py)."""
import pytest

from ..access_table import DOC, GROUPS, TABLE, document_with, render, summary_rows


def test_committed_permission_doc_is_the_rendering_of_the_access_table():
    text = DOC.read_text(encoding="utf-8")
    assert document_with(text, render()) == text, (
        "docs/permissions.md differs from tests/access_table.py: run `.venv/bin/python -m tests.access_table --write`")


def test_every_endpoint_is_in_exactly_one_summary_row():
    grouped = [endpoint for _label, endpoints in GROUPS for endpoint in endpoints]
    assert sorted(grouped) == sorted(TABLE)


def test_managers_may_neither_open_nor_notify_incidents():
    rows = dict(summary_rows())
    manager = ["anonymous", "no role", "客服", "财务", "经理", "superuser"].index("经理")
    assert rows["open incidents, log communications"][manager] == "403"
    assert rows["notify an incident's customers"][manager] == "403"


def test_a_group_whose_endpoints_differ_cannot_be_rendered(monkeypatch):
    from .. import access_table

    monkeypatch.setattr(access_table, "GROUPS", [("mixed", [("POST", "/api/v1/incidents/"),
                                                            ("PATCH", "/api/v1/incidents/{pk}/")])])
    with pytest.raises(ValueError, match="split the group"):
        access_table.summary_rows()
