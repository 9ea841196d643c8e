"""`make run`'s fast start (backoffice/management/commands/runall.py): migrate is skipped only when the migrations
are the ones the SQLite file was migrated with, and a fresh database is copied from a template whose key changes
with the day (the demo's history counts from today) and with the project's code."""
import datetime
import sqlite3

import pytest
import time_machine

from backoffice.management.commands import runall
from backoffice.management.commands.runall import Command, demo_template_key, migrations_key


def test_the_migrations_key_changes_with_a_new_migration(settings, tmp_path):
    before = migrations_key()
    assert migrations_key() == before
    app = tmp_path / "someapp" / "migrations"
    app.mkdir(parents=True)
    (app / "0001_initial.py").write_text("# a migration\n")
    settings.BASE_DIR = tmp_path
    assert migrations_key() != before


def test_the_template_key_changes_with_the_day():
    with time_machine.travel(datetime.datetime(2026, 12, 8, 10, tzinfo=datetime.UTC), tick=False):
        today = demo_template_key()
        assert demo_template_key() == today
    with time_machine.travel(datetime.datetime(2026, 12, 9, 10, tzinfo=datetime.UTC), tick=False):
        assert demo_template_key() != today


@pytest.mark.django_db
def test_a_template_is_saved_consistently_and_copied_into_place(settings, tmp_path, monkeypatch):
    source = tmp_path / "live.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE invoice (number TEXT)")
        db.execute("INSERT INTO invoice VALUES ('26112000000000000001')")
    db.close()
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", str(source))
    cache = tmp_path / "cache"
    for day in range(5):  # old templates are pruned
        template = cache / f"demo-{day}.sqlite3"
        Command().save(template)
    assert len(list(cache.glob("demo-*.sqlite3"))) == runall.TEMPLATES_KEPT
    target = tmp_path / "var" / "fresh.sqlite3"
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", str(target))
    Command().copy(template)
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT number FROM invoice").fetchall() == [("26112000000000000001",)]
    db.close()
    assert not list(target.parent.glob("*.partial"))
