"""Roles from migrations, demo data from the demo command, settings from the environment."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER
from invoices.ledger.identifiers import is_valid_uscc
from invoices.ledger.models import Customer, Direction, Invoice, InvoiceStatus

ROOT = Path(__file__).resolve().parents[2]


def perms(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=group).permissions.all()}


@pytest.mark.django_db
def test_migrations_create_roles_with_explicit_permissions_and_no_users():
    cs, finance, manager = perms(CUSTOMER_SERVICE), perms(FINANCE), perms(MANAGER)
    # Customer service reads invoices and may ask the platform about one, but never changes one.
    assert {"invoices.view_invoice", "invoices.verify_invoice"} <= cs
    assert not {p for p in cs if p.split(".")[1].split("_")[0] in ("add", "change", "delete", "sync", "reissue",
                                                                  "approve", "import") and p.split("_", 1)[1].startswith("invoice")}
    assert {"invoices.sync_invoice", "invoices.reissue_invoice", "invoices.approve_reissue",
            "invoices.reconcile_invoices", "invoices.add_invoice"} <= finance
    assert "invoices.change_invoice" not in finance and "invoices.delete_invoice" not in finance
    assert all(p.split(".")[1].startswith("view_") for p in manager if p.startswith("invoices."))
    assert not User.objects.exists()


@pytest.mark.django_db
def test_every_group_holds_exactly_the_declared_permissions():
    from core.roles import ROLE_PERMISSIONS

    for role in (CUSTOMER_SERVICE, FINANCE, MANAGER):
        declared = {f"{app}.{code}" for app, roles in ROLE_PERMISSIONS.items() for code in roles.get(role, [])}
        assert perms(role) == declared, role


# serialized_rollback: other transactional tests may run first, and their flush removes the role groups.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_is_idempotent_and_builds_valid_data():
    call_command("seed_demo", invoices=40, customers=12, stdout=open(os.devnull, "w"))
    counts = (User.objects.count(), Customer.objects.count(), Invoice.objects.count())
    call_command("seed_demo", invoices=40, customers=12, stdout=open(os.devnull, "w"))
    assert (User.objects.count(), Customer.objects.count(), Invoice.objects.count()) == counts
    assert User.objects.get(username="cs").groups.filter(name=CUSTOMER_SERVICE).exists()
    assert User.objects.get(username="admin").is_superuser
    assert all(is_valid_uscc(t) for t in Customer.objects.values_list("tax_id", flat=True))
    red = Invoice.objects.filter(direction=Direction.RED).select_related("original")
    assert red.exists() and all(r.original.status == InvoiceStatus.RED_FLUSHED for r in red)
    assert Invoice.objects.values("sync_status").distinct().count() >= 3


def _import_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import backoffice.settings"], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {"DJANGO_ENV": "production", "SECRET_KEY": "", "VAR_DIR": str(tmp_path)}
    result = _import_settings(env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    assert _import_settings({**env, "SECRET_KEY": "x" * 50}).returncode == 0


def test_settings_read_database_url_and_zone():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected)
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
