"""What the desk pages show a person, once each: the export page of the incident lists in Chinese (chooser and file),
the invoice page's actions each offered once, the incident page as a desk without the long model form under it.

These tests only read the demo data or work on incidents of their own choosing, never the story's invoices
(tests/browser/test_story.py opens its incident from the invoice page)."""
import csv
import io
import json
import re

from invoices.demo_story import MISSING_REMARKS, WRONG_TAX_ID_REMARKS

from .story_helpers import USER_NAMES, py, submit

# The export formats, named as the files end.
FILE_EXTENSIONS = {"csv", "xlsx"}
# The raw field names the library's chooser would print after each label, e.g. `Reference (reference)`.
RAW_NAME = re.compile(r"\([a-z_]+\)")


def _export(page, site, shots, model, step):
    page.goto(f"{site.url}/admin/incidents/{model}/export/")
    shots(page, step, extra_allowed=USER_NAMES | FILE_EXTENSIONS)
    chooser = page.locator("#content").inner_text()
    assert not RAW_NAME.search(chooser), RAW_NAME.findall(chooser)
    page.locator("select[name=format]").select_option(label="csv")
    with page.expect_download() as download:
        page.locator("input[type=submit], button[type=submit]").last.click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as f:
        return next(csv.reader(io.StringIO(f.read())))


def test_the_incident_and_follow_up_export_pages_speak_chinese(site, open_as, shots):
    manager = open_as("manager")
    incidents = _export(manager, site, shots, "incident", "incident-export-chooser")
    assert {"编号", "标题", "状态", "负责人", "涉及发票"} <= set(incidents), incidents
    followups = _export(manager, site, shots, "followup", "followup-export-chooser")
    assert {"标题", "事件", "被指派人", "到期时间"} <= set(followups), followups
    for header in (incidents, followups):
        assert not [h for h in header if h.isascii() and h.isalpha() and h != "ID"], header


def _invoice(site, **filters):
    """The pk and number of a blue issued invoice in `filters`' state that the story does not use, of a customer
    with no running incident (else the page leads to that incident rather than offering 创建事件)."""
    return json.loads(py(site, (
        "import json; from invoices.ledger.models import Invoice; "
        f"i = Invoice.objects.filter(direction='blue', status='issued', incidents__isnull=True, "
        f"reissue_requests__isnull=True, **{filters!r}).exclude(remarks__in=[{MISSING_REMARKS!r}, "
        f"{WRONG_TAX_ID_REMARKS!r}]).exclude(buyer__incidents__status__in=['new', 'investigating', "
        f"'waiting_customer', 'waiting_platform']).order_by('id').first(); "
        f"print(json.dumps({{'pk': i.pk, 'number': i.number}}))"
    )).splitlines()[-1])


def _count(page, role, name):
    return page.get_by_role(role, name=name, exact=True).count()


def test_the_invoice_page_offers_each_action_once(site, open_as, shots):
    failed = _invoice(site, sync_status="failed")
    synced = _invoice(site, sync_status="synced")

    rep = open_as("cs")
    rep.goto(f"{site.url}/admin/invoices/invoice/{failed['pk']}/change/")
    shots(rep, "rep-failed-invoice", extra_allowed=USER_NAMES)
    # The next step the state calls for, in the panel, and not again in the bar above it.
    assert rep.locator(".next-steps").get_by_role("button", name="在平台核验").count() == 1
    assert _count(rep, "button", "在平台核验") == 1
    assert rep.locator(".next-steps").get_by_role("link", name="创建事件").count() == 1
    assert _count(rep, "link", "创建事件") == 1
    assert _count(rep, "button", "重新同步") == 0  # a rep cannot re-sync

    finance = open_as("finance")
    finance.goto(f"{site.url}/admin/invoices/invoice/{failed['pk']}/change/")
    shots(finance, "finance-failed-invoice", extra_allowed=USER_NAMES)
    assert finance.locator(".next-steps").get_by_role("button", name="重新同步").count() == 1
    for role, name in [("button", "重新同步"), ("button", "在平台核验"), ("link", "红冲重开"), ("link", "重新交付")]:
        assert _count(finance, role, name) <= 1, name
    assert _count(finance, "button", "在平台核验") == 1  # still there, in the bar: not what the state calls for

    finance.goto(f"{site.url}/admin/invoices/invoice/{synced['pk']}/change/")
    shots(finance, "finance-synced-invoice", extra_allowed=USER_NAMES)
    assert finance.locator(".next-steps").get_by_role("button", name="在平台核验").count() == 1
    for role, name in [("button", "重新同步"), ("button", "在平台核验"), ("link", "红冲重开"), ("link", "创建事件")]:
        assert _count(finance, role, name) <= 1, name
    assert _count(finance, "button", "重新同步") == 1 and _count(finance, "link", "红冲重开") == 1


def _labels(page):
    """Every field label a person sees on the page: the desk's and the form's (closed sections hide theirs)."""
    return page.evaluate("""() => {
      const seen = el => el.offsetParent !== null || el.getClientRects().length > 0;
      const clean = t => t.replace(/[:：\\s]+$/, '').trim();
      const desk = [...document.querySelectorAll('#incident-desk dt')];
      const form = [...document.querySelectorAll('#incident_form fieldset.module label, '
                                                 + '#incident_form fieldset.module .form-row > div > label')];
      return [...desk, ...form].filter(seen).map(el => clean(el.innerText)).filter(Boolean);
    }""")


def test_the_incident_page_is_a_desk_without_the_long_form(site, open_as, shots):
    pk = py(site, (
        "from django.contrib.auth import get_user_model; from incidents.models import Incident; "
        "from incidents.access import can_work_incident; "
        "cs = get_user_model().objects.get(username='cs'); "
        "print(next(i.pk for i in Incident.objects.filter(status='investigating', invoices__isnull=False)"
        ".distinct().order_by('id') if can_work_incident(cs, i)))")).splitlines()[-1]
    rep = open_as("cs")
    url = f"{site.url}/admin/incidents/incident/{pk}/change/"
    rep.goto(url)
    shots(rep, "rep-incident-desk", extra_allowed=USER_NAMES)
    labels = _labels(rep)
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)
    # The desk says who, which customer, how late and which invoices: the form below does not say it again.
    for field in ("reference", "status", "sla_state", "response_due_at", "resolve_due_at", "owner", "customer",
                  "invoices"):
        assert not rep.locator(f"#incident_form .field-{field}").is_visible(), field
    # What the desk has no action for is still there, short: the title can be corrected and saved.
    assert rep.locator("#id_title").is_visible() and rep.locator("#id_severity").is_visible()
    height = rep.evaluate("() => [...document.querySelectorAll('#incident_form fieldset.module.aligned')]"
                          ".reduce((sum, f) => sum + f.getBoundingClientRect().height, 0)")
    assert height < 800, height  # the form under the desk is short (it was 2,200 px of every model field)
    rep.locator("#id_title").fill("客户称发票在税务系统中查不到（已核对号码）")
    submit(rep, "input[name=_continue]")
    assert rep.locator(".messagelist .success").count() == 1
    assert "已核对号码" in rep.locator("#content h2").first.inner_text()
    # The timeline says what the rep changed, by the name the page gives it, and nothing the rep did not touch.
    newest = rep.locator("#incidentevent-table-group tbody tr").first.locator("td")
    assert newest.nth(3).inner_text().strip() == "已修改：标题", newest.nth(3).inner_text()
    shots(rep, "rep-corrected-title", extra_allowed=USER_NAMES)

    # Resolving needs the checklist done or skipped (refusal with the steps named is walked in test_handoffs.py).
    py(site, "from django.contrib.auth import get_user_model; from incidents.models import IncidentStep; "
             "from incidents.services.steps import incident_step_skip; "
             "cs = get_user_model().objects.get(username='cs'); "
             "[incident_step_skip(step=s, actor=cs, reason='本事件不涉及此步') for s in "
             f"IncidentStep.objects.filter(incident_id={pk}, done_at__isnull=True).order_by('position')]")
    rep.locator("#desk-status a[href$='?to=resolved']").click()
    rep.wait_for_load_state()
    rep.locator("#id_root_cause_category").select_option(index=1)
    rep.locator("#id_root_cause").fill("购方税号录入错误")
    rep.locator("#id_resolution").fill("已按正确税号红冲重开，客户确认收到")
    submit(rep)
    assert "已解决" in rep.locator("#incident-desk h2").inner_text()
    shots(rep, "rep-resolved", extra_allowed=USER_NAMES)
    # Resolved: the root cause and the resolution are read where the form is, once.
    labels = _labels(rep)
    assert len(labels) == len(set(labels)), labels
    assert rep.locator("#id_root_cause").is_visible()
    assert rep.locator("#id_root_cause").input_value() == "购方税号录入错误"
