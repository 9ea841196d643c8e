"""`manage.py backup` writes a consistent dump and `restore` brings it back, into an empty database too."""
import sqlite3
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from invoices.ledger.models import Invoice, InvoiceEvent

from .. import factories

# serialized_rollback puts back the migrations' rows (role groups) that the flush after each test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ON_POSTGRES = connection.vendor == "postgresql"
COUNT_SQL = {
    "invoices": "SELECT count(*) FROM invoices_invoice",
    "events": "SELECT count(*) FROM invoices_invoiceevent",
    "numbers": "SELECT number FROM invoices_invoice ORDER BY number",
}


def ledger():
    seller = factories.seller()
    buyer = factories.customer()
    for _ in range(4):
        factories.invoice(seller_obj=seller, buyer=buyer)
    assert InvoiceEvent.objects.count() >= 4
    return {
        "invoices": Invoice.objects.count(),
        "events": InvoiceEvent.objects.count(),
        "numbers": sorted(Invoice.objects.values_list("number", flat=True)),
    }


def read_ledger(cursor):
    cursor.execute(COUNT_SQL["invoices"])
    invoices = cursor.fetchone()[0]
    cursor.execute(COUNT_SQL["events"])
    events = cursor.fetchone()[0]
    cursor.execute(COUNT_SQL["numbers"])
    return {"invoices": invoices, "events": events, "numbers": [row[0] for row in cursor.fetchall()]}


@contextmanager
def empty_postgres_database():
    """A brand-new database on the same server, dropped afterwards."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, params
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgres_url(params, name):
    user = params.get("user") or "postgres"
    auth = f"{user}:{params['password']}" if params.get("password") else user
    return f"postgres://{auth}@{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{name}"


@pytest.mark.postgres  # pg_dump / pg_restore
def test_postgres_dump_restores_into_an_empty_database(tmp_path):
    import psycopg

    expected = ledger()
    dump = tmp_path / "backoffice.dump"
    call_command("backup", output=str(dump), stdout=open("/dev/null", "w"))
    assert dump.read_bytes().startswith(b"PGDMP") and not (tmp_path / "backoffice.dump.partial").exists()
    with empty_postgres_database() as (name, params):
        call_command("restore", str(dump), database_url=postgres_url(params, name), interactive=False,
                     stdout=open("/dev/null", "w"))
        with psycopg.connect(**{**params, "dbname": name}) as conn, conn.cursor() as cursor:
            assert read_ledger(cursor) == expected


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite: the backup API")
def test_sqlite_backup_restores_into_a_new_file(tmp_path):
    expected = ledger()
    dump = tmp_path / "backoffice.sqlite3.bak"
    call_command("backup", output=str(dump), stdout=open("/dev/null", "w"))
    target = tmp_path / "restored.sqlite3"
    call_command("restore", str(dump), database_url=f"sqlite:///{target}", interactive=False,
                 stdout=open("/dev/null", "w"))
    with sqlite3.connect(target) as conn:
        assert read_ledger(conn.cursor()) == expected


def test_restore_into_the_live_database_puts_back_the_backed_up_state(tmp_path):
    expected = ledger()
    dump = tmp_path / "backoffice.dump"
    call_command("backup", output=str(dump), stdout=open("/dev/null", "w"))
    later = factories.invoice()
    call_command("restore", str(dump), interactive=False, stdout=open("/dev/null", "w"))
    assert not Invoice.objects.filter(pk=later.pk).exists()
    assert Invoice.objects.count() == expected["invoices"]
    assert InvoiceEvent.objects.count() == expected["events"]
    # The restored ledger keeps working: the next number is allocated after the restored ones.
    assert factories.invoice().number not in expected["numbers"]


def test_restore_refuses_a_file_that_is_not_a_dump_and_changes_nothing(tmp_path):
    expected = ledger()
    junk = tmp_path / "notes.txt"
    junk.write_text("DROP TABLE invoices_invoiceevent;\nnot a dump")
    with pytest.raises(CommandError):
        call_command("restore", str(junk), interactive=False)
    assert Invoice.objects.count() == expected["invoices"]
    assert InvoiceEvent.objects.count() == expected["events"]


def test_restore_asks_before_replacing_data(tmp_path, monkeypatch):
    dump = tmp_path / "backoffice.dump"
    call_command("backup", output=str(dump), stdout=open("/dev/null", "w"))
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(dump))
