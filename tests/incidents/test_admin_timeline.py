"""The incident page shows the newest timeline events and links to the whole timeline, a paginated admin page with
the incident page's own permissions and team scoping. The invoice page's lines, attempts and events are read-only
tables (no formset)."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.admin.written import money
from core.roles import CUSTOMER_SERVICE
from incidents.admin.tables import TIMELINE_ON_PAGE, TIMELINE_PER_PAGE
from incidents.models import IncidentEvent
from incidents.services.timeline import incident_note_add

from ..access_helpers import build_world
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


def _long_timeline(incident, actor, notes):
    start = timezone.now() - timedelta(days=2)
    for n in range(notes):
        incident_note_add(incident=incident, actor=actor, message=f"note {n:03d}\nsecond line <b>",
                          at=start + timedelta(minutes=n))


def _timeline_rows(html):
    return html.count("note 0") + html.count("note 1") + html.count("note 2")


def test_incident_page_shows_the_newest_events_and_links_to_the_whole_timeline(client, cs_user):
    incident = open_incident(cs_user)
    _long_timeline(incident, cs_user, TIMELINE_ON_PAGE + 30)
    client.force_login(cs_user)
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "inline_admin_formsets" in page.context
    assert not page.context["inline_admin_formsets"]  # no formset behind the checklist or the timeline
    newest = f"note {TIMELINE_ON_PAGE + 29:03d}"
    rows = page.context["readonly_tables"][1]["rows"]
    assert len(rows) == TIMELINE_ON_PAGE and rows[0][1] == "已创建"  # opened now, the notes back-dated
    assert _timeline_rows(html) == TIMELINE_ON_PAGE - 1 and newest in html and "note 030" not in html
    assert "second line &lt;b&gt;" in html and "note 079<br>" in html  # escaped, line breaks kept
    total = incident.events.count()
    assert f"显示最新的 {TIMELINE_ON_PAGE} 条，共 {total} 条。" in html  # requests default to Chinese
    assert reverse("admin:incidents_incident_timeline", args=[incident.pk]) in html
    assert html.index(newest) < html.index(f"note {TIMELINE_ON_PAGE:03d}")  # newest first


def test_the_whole_timeline_page_by_page_with_times_and_actors(client, manager_user, cs_user):
    incident = open_incident(cs_user)
    _long_timeline(incident, cs_user, TIMELINE_PER_PAGE + 20)
    total = incident.events.count()
    client.force_login(manager_user)
    url = reverse("admin:incidents_incident_timeline", args=[incident.pk])
    seen = []
    for order in ("newest", "oldest"):
        pages = []
        for number in (1, 2):
            response = client.get(url, {"order": order, "p": number})
            assert response.status_code == 200
            rows = response.context["readonly_tables"][0]["rows"]
            pages.append(rows)
            assert all(row[2] == "cs" for row in rows if "note" in row[3])  # actor column
        assert [len(p) for p in pages] == [TIMELINE_PER_PAGE, total - TIMELINE_PER_PAGE]
        seen.append([row[3] for p in pages for row in p])
    assert seen[0] == list(reversed(seen[1]))  # the same events, each order read whole
    oldest_page = client.get(url, {"order": "oldest"}).content.decode()
    first = IncidentEvent.objects.filter(incident=incident).order_by("at", "id").first()
    assert timezone.localtime(first.at).strftime("%H:%M") in oldest_page
    assert f"共 {total} 条事件记录。" in oldest_page


def test_timeline_page_follows_team_scoping_and_permissions(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, objects, _teams = build_world(django_user_model)
    incident = objects["incidents"]  # team A's
    url = reverse("admin:incidents_incident_timeline", args=[incident.pk])
    expected = {"cs_a": 200, "cs_b": 404, "manager": 200, "finance": 200, "superuser": 200, "groupless": 403}
    for role, status in expected.items():
        client.force_login(users[role])
        assert client.get(url).status_code == status, role
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # A user who may see incidents but not their timeline gets neither the table nor the page.
    no_events = django_user_model.objects.create_user("nosy", is_staff=True)
    no_events.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    no_events.user_permissions.clear()
    group = Group.objects.create(name="incidents only")
    group.permissions.set(Group.objects.get(name=CUSTOMER_SERVICE).permissions.exclude(codename="view_incidentevent"))
    no_events.groups.set([group])
    shared = open_incident(None)
    client.force_login(no_events)
    assert client.get(reverse("admin:incidents_incident_timeline", args=[shared.pk])).status_code == 403
    page = client.get(reverse("admin:incidents_incident_change", args=[shared.pk]))
    assert page.status_code == 200
    assert [t["id"] for t in page.context["readonly_tables"]] == ["incidentstep-table"]


def test_checklist_table_links_undone_steps_to_mark_done(client, cs_user):
    incident = open_incident(cs_user)
    steps = list(incident.steps.order_by("position"))
    assert steps, "the invoice_missing playbook gives the incident a checklist"
    client.force_login(cs_user)
    client.post(reverse("admin:incidents_incident_step", args=[incident.pk, steps[0].pk]), {"note": "done"})
    html = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert reverse("admin:incidents_incident_step", args=[incident.pk, steps[0].pk]) not in html
    assert reverse("admin:incidents_incident_step", args=[incident.pk, steps[1].pk]) in html
    with translation.override("zh-hans"):  # the page is Chinese; the stored default title is its msgid
        assert "✔" in html and escape(gettext(steps[1].title)) in html


def test_invoice_page_tables(client, finance_user, invoice):
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200 and not page.context["inline_admin_formsets"]
    tables = {t["id"]: t for t in page.context["readonly_tables"]}
    assert list(tables) == ["invoiceline-table", "reissuerequest-table", "syncattempt-table", "incident-table",
                            "invoiceevent-table"]
    lines = list(invoice.lines.order_by("line_no"))
    assert [row[0] for row in tables["invoiceline-table"]["rows"]] == [str(ln.line_no) for ln in lines]
    assert any(money(lines[0].amount) in cell for cell in tables["invoiceline-table"]["rows"][0])
    assert len(tables["invoiceevent-table"]["rows"]) == invoice.events.count()


def test_event_list_shows_a_rep_only_the_events_of_incidents_they_see(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, objects, _teams = build_world(django_user_model)
    theirs = objects["incidents"]  # team A's
    shared = open_incident(None)
    changelist = reverse("admin:incidents_incidentevent_changelist")
    for role, sees_team_a in (("cs_a", True), ("cs_b", False), ("manager", True)):
        client.force_login(users[role])
        shown = {event.incident_id for event in client.get(changelist).context["cl"].result_list}
        assert (theirs.pk in shown) == sees_team_a and shared.pk in shown, role
        event = theirs.events.first()
        status = client.get(reverse("admin:incidents_incidentevent_change", args=[event.pk])).status_code
        assert (status == 200) == sees_team_a, role


def test_incident_and_timeline_pages_run_fixed_queries(client, cs_user, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    short, long = open_incident(cs_user), open_incident(cs_user)
    _long_timeline(long, cs_user, TIMELINE_PER_PAGE + 40)
    client.force_login(cs_user)
    for name in ("admin:incidents_incident_change", "admin:incidents_incident_timeline"):
        with CaptureQueriesContext(connection) as few:
            client.get(reverse(name, args=[short.pk]))
        # The long one also counts its events once (to say how many the page leaves out).
        extra = 1 if name == "admin:incidents_incident_change" else 0
        with django_assert_num_queries(len(few) + extra):
            client.get(reverse(name, args=[long.pk]))


def test_incident_change_form_still_saves_without_inline_formsets(client, cs_user):
    incident = open_incident(cs_user, customer=None)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    client.force_login(cs_user)
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = [str(v) for v in value]  # the invoices autocomplete posts one value per invoice
        if hasattr(value, "tzinfo"):  # split date and time widgets
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
            continue
        data[name] = value
    data["title"] = "发票查不到（已核对号码）"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    incident.refresh_from_db()
    assert incident.title == "发票查不到（已核对号码）"
    assert incident.events.filter(kind="updated").exists()
