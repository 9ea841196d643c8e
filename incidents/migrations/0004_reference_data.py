"""Every installation starts with the default work calendar and SLA targets, a playbook per category and
the bilingual templates, not only the demo. Idempotent: existing rows are left as staff edited them."""
from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    from incidents.models.incident import IncidentCategory
    from incidents.playbooks import DEFAULT_STEPS
    from incidents.reference_data import HOLIDAYS, MAKEUP_DAYS, TEMPLATES
    from incidents.sla import DEFAULT_TARGETS

    WorkCalendar = apps.get_model("incidents", "WorkCalendar")
    CalendarDay = apps.get_model("incidents", "CalendarDay")
    SlaTarget = apps.get_model("incidents", "SlaTarget")
    Playbook = apps.get_model("incidents", "Playbook")
    PlaybookStep = apps.get_model("incidents", "PlaybookStep")
    CommunicationTemplate = apps.get_model("incidents", "CommunicationTemplate")

    calendar, _created = WorkCalendar.objects.get_or_create(
        name="中国大陆工作日历", defaults={"is_default": not WorkCalendar.objects.filter(is_default=True).exists()})
    for kind, groups in (("holiday", HOLIDAYS), ("workday", MAKEUP_DAYS)):
        for name, days in groups.items():
            for d in days:
                CalendarDay.objects.get_or_create(calendar=calendar, date=date.fromisoformat(d),
                                                  defaults={"kind": kind, "name": name})
    for severity, (response, resolution) in DEFAULT_TARGETS.items():
        SlaTarget.objects.get_or_create(severity=str(severity),
                                        defaults={"response_hours": response, "resolution_hours": resolution})
    for category, steps in DEFAULT_STEPS.items():
        playbook, created = Playbook.objects.get_or_create(
            category=str(category), defaults={"name": str(IncidentCategory(category).label)})
        if created:
            PlaybookStep.objects.bulk_create(
                PlaybookStep(playbook=playbook, position=n, title=str(title), help_text=str(help_text))
                for n, (title, help_text) in enumerate(steps, start=1))
    for code, purpose, langs in TEMPLATES:
        for language, (name, subject, body) in langs.items():
            CommunicationTemplate.objects.get_or_create(
                code=code, language=language,
                defaults={"purpose": str(purpose), "name": name, "subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_schedules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
