"""Seed the root-cause categories and mark each playbook's "review and prevent" step (seeded by 0004 in the
language the migration ran in) as the step that records a prevention action. Idempotent."""
from django.db import migrations

from core.roles import grant_role_permissions

# The step's title as 0004 may have stored it: the msgid, or its Chinese translation.
REVIEW_TITLES = ("Review and prevent", "复盘与预防")


def seed(apps, schema_editor):
    from incidents.root_causes import DEFAULT_ROOT_CAUSES

    grant_role_permissions(apps, "incidents")
    RootCauseCategory = apps.get_model("incidents", "RootCauseCategory")
    for position, (code, name) in enumerate(DEFAULT_ROOT_CAUSES, start=1):
        RootCauseCategory.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})
    apps.get_model("incidents", "PlaybookStep").objects.filter(title__in=REVIEW_TITLES).update(
        records_prevention=True)
    apps.get_model("incidents", "IncidentStep").objects.filter(title__in=REVIEW_TITLES, done_at__isnull=True).update(
        records_prevention=True)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_root_cause_category_and_prevention")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
