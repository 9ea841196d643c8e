"""The story in the browser, both endings, each step a screenshot (var/screenshots/test_story/...).

北京丰台医疗器械有限公司 cannot find an invoice of the Beijing seller in the Beijing tax system (invoices/demo_story.py).
Ending one: the upload had failed; the rep verifies, opens the incident from the invoice, apologises after reading
the preview, works the checklist and logs the call with a callback; finance re-syncs (the worker does it) and the
incident's timeline shows it; the rep resolves; the manager reads the timeline and signs off from the home page.
Ending two: the buyer's tax id was mistyped; finance reissues through the reissue form, finance2 approves from the
home page queue and the customer gets the new number by email."""
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone

from invoices.demo_story import MISSING_REMARKS, WRONG_TAX_ID_REMARKS

from .story_helpers import (
    USER_NAMES,
    invoice_number,
    option_value,
    py,
    submit,
    wait_for,
    wait_for_mail_nudging,
    wait_until,
)


def test_story_resync(site, open_as, shots):
    number = invoice_number(site, MISSING_REMARKS)
    rep = open_as("cs")
    shots(rep, "rep-home", extra_allowed=USER_NAMES)
    rep.goto(site.url + "/admin/invoices/invoice/")
    rep.locator("#searchbar").fill(number)
    rep.locator("#searchbar").press("Enter")
    rep.wait_for_load_state()
    shots(rep, "rep-finds-invoice", extra_allowed=USER_NAMES)
    rep.locator("#result_list a", has_text=number).first.click()
    rep.wait_for_load_state()
    rep.locator("form[action$='/verify/'] button").click()  # once on the page: the next step the state calls for
    rep.wait_for_load_state()
    assert rep.locator(".messagelist").count() == 1
    shots(rep, "rep-verified-platform-lacks-it", extra_allowed=USER_NAMES)

    # The customer's incident is already running (one problem, one incident): the next step opens it, and the
    # verify's finding attaches the invoice there (on the worker).
    opening = rep.locator(".next-steps a", has_text="打开 INC-")
    assert opening.count() == 1 and rep.get_by_role("link", name="创建事件").count() == 0
    opening.click()
    rep.wait_for_load_state()
    shots(rep, "rep-opens-the-customers-running-incident", extra_allowed=USER_NAMES)
    incident_pk = urlsplit(rep.url).path.rstrip("/").split("/")[-2]
    wait_for(site, f"from incidents.models import Incident; "
                   f"print(Incident.objects.get(pk={incident_pk}).invoices.filter(number={number!r}).exists())", "True",
             what=f"the verify job attaching invoice {number} to the customer's running incident")
    rep.reload()
    desk = rep.locator("#incident-desk")
    assert number in desk.inner_text() and "北京丰台医疗器械有限公司" in desk.inner_text()
    incident_url = site.url + urlsplit(rep.url).path
    shots(rep, "rep-incident-desk", extra_allowed=USER_NAMES)

    rep.locator("#desk-actions a[href$='/notify/']").click()
    rep.wait_for_load_state()
    rep.locator("select[name=template]").select_option(option_value(rep, "select[name=template]", "致歉", "简体中文"))
    submit(rep)
    preview = rep.locator(".notify-preview").first.inner_text()
    assert number in preview and "尊敬的" in preview  # the rendered email, placeholders filled
    shots(rep, "rep-reads-apology-preview", extra_allowed=USER_NAMES)
    submit(rep, "input[name=send]")
    shots(rep, "rep-apology-sent", extra_allowed=USER_NAMES)

    for n in range(2):  # the first checks are done; the rest do not apply to this case
        rep.locator("#incidentstep-table-group a.button").first.click()
        rep.wait_for_load_state()
        submit(rep)
    shots(rep, "rep-ticked-steps", extra_allowed=USER_NAMES)
    while rep.locator("#incidentstep-table-group a[href$='?skip=1']").count():
        rep.locator("#incidentstep-table-group a[href$='?skip=1']").first.click()
        rep.wait_for_load_state()
        rep.locator("#id_reason").fill("本案为上传失败，此步骤不涉及")
        submit(rep)
    assert "排查中" in rep.locator("#incident-desk h2").inner_text()  # starting work moved it from 新建

    rep.locator("#desk-actions a[href*='/communication/add/']").first.click()
    rep.wait_for_load_state()
    assert "北京丰台医疗器械有限公司" in rep.locator(".field-customer").inner_text()
    assert "INC-" in rep.locator(".field-incident").inner_text()
    callback = timezone.localtime() + timedelta(hours=2)
    rep.locator("#id_subject").fill("电话致歉，告知财务正在重新上传")
    rep.locator("#id_callback_at_0").fill(callback.strftime("%Y-%m-%d"))
    rep.locator("#id_callback_at_1").fill(callback.strftime("%H:%M:%S"))
    shots(rep, "rep-logs-call-with-callback", extra_allowed=USER_NAMES)
    submit(rep, "input[name=_save]")
    assert rep.locator(".messagelist .success").count() == 1
    shots(rep, "rep-call-logged", extra_allowed=USER_NAMES)

    finance = open_as("finance")
    finance.goto(site.url + "/admin/invoices/invoice/?q=" + number)
    finance.locator("#result_list a", has_text=number).first.click()
    finance.wait_for_load_state()
    finance.locator("form[action$='/sync/'] button").click()
    finance.wait_for_load_state()
    shots(finance, "finance-resyncs", extra_allowed=USER_NAMES)
    wait_for(site, f"from invoices.ledger.models import Invoice; print(Invoice.objects.get(number={number!r}).sync_status)",
             "synced", what=f"the worker to upload invoice {number} after the re-sync (sync_status synced)")

    rep.goto(incident_url)
    timeline = rep.locator("#incidentevent-table-group").inner_text()
    assert f"{number}:" in timeline and "发票：" in timeline  # the re-sync, on the incident's timeline
    shots(rep, "rep-sees-resync-on-timeline", extra_allowed=USER_NAMES)
    rep.locator("#desk-status a[href$='?to=resolved']").click()
    rep.wait_for_load_state()
    rep.locator("#id_root_cause_category").select_option(label="同步任务失败")
    rep.locator("#id_root_cause").fill("开票当日上传税务平台失败，未自动重试成功")
    rep.locator("#id_resolution").fill("财务重新上传，客户已可在北京税务系统查到发票")
    submit(rep)
    assert "已解决" in rep.locator("#incident-desk h2").inner_text()
    shots(rep, "rep-resolved", extra_allowed=USER_NAMES)

    manager = open_as("manager")
    shots(manager, "manager-home", extra_allowed=USER_NAMES)
    # The review queue: the home card's count opens every resolved incident; the manager searches the reference.
    manager.locator(".home-card a[href*='status__exact=resolved']").first.click()
    manager.wait_for_load_state()
    reference = rep.locator("#incident-desk h2").inner_text().split()[0]
    manager.locator("#searchbar").fill(reference)
    manager.locator("#changelist-search input[type=submit]").click()
    manager.wait_for_load_state()
    manager.locator("#result_list a", has_text=reference).first.click()
    manager.wait_for_load_state()
    assert urlsplit(manager.url).path == urlsplit(incident_url).path
    shots(manager, "manager-reads-timeline", extra_allowed=USER_NAMES)
    manager.locator("a[href$='/review/']").click()
    manager.wait_for_load_state()
    manager.locator("#id_decision_0").check()
    submit(manager)
    assert "已关闭" in manager.locator("#incident-desk h2").inner_text()
    shots(manager, "manager-signed-off", extra_allowed=USER_NAMES)


def test_story_wrong_tax_id_reissue(site, open_as, shots):
    number = invoice_number(site, WRONG_TAX_ID_REMARKS)
    right_tax_id = py(site, 
        f"from invoices.ledger.models import Invoice; print(Invoice.objects.get(number={number!r}).buyer.tax_id)")
    finance = open_as("finance")
    finance.goto(site.url + "/admin/invoices/invoice/?q=" + number)
    finance.locator("#result_list a", has_text=number).first.click()
    finance.wait_for_load_state()
    shots(finance, "finance-opens-invoice", extra_allowed=USER_NAMES)
    finance.locator("a[href$='/reissue/']").click()
    finance.wait_for_load_state()
    assert finance.locator("input[name^='lines-'][name$='-amount']").first.input_value()  # starts from the original's lines
    finance.locator("#id_reason").select_option("01")
    finance.locator("#id_new_buyer_tax_id").fill(right_tax_id)
    finance.locator("#id_note").fill("购方税号录入错误（两位数字颠倒），红冲后按正确税号重开")
    shots(finance, "finance-fills-reissue-form", extra_allowed=USER_NAMES)
    submit(finance, "input[name=_preview]")
    assert finance.locator(".errornote").count() == 0, finance.locator(".errornote").inner_text()
    shots(finance, "finance-checks-difference", extra_allowed=USER_NAMES)
    submit(finance, "input[name=_confirm]")
    assert finance.locator(".errornote").count() == 0
    shots(finance, "finance-requested-reissue", extra_allowed=USER_NAMES)

    approver = open_as("finance2")
    shots(approver, "finance2-home", extra_allowed=USER_NAMES)
    approver.locator("a[href*='queue=to_approve']").first.click()
    approver.wait_for_load_state()
    approver.locator("#result_list tbody tr", has_text=number).locator("a").first.click()
    approver.wait_for_load_state()
    approver.locator("a[href$='/decide/']").click()
    approver.wait_for_load_state()
    shots(approver, "finance2-approves", extra_allowed=USER_NAMES)
    approver.locator("form:has(input[value=approve]) input[type=submit]").click()
    approver.wait_for_load_state()
    new_number = wait_until(site, (
        "from invoices.reissue.models import ReissueRequest as R; "
        f"r = R.objects.get(original__number={number!r}); "
        "print(r.new_invoice.number if r.status == 'completed' else '')"),
        what=f"the worker to complete the reissue of {number} (request completed, new invoice issued)")
    approver.reload()
    shots(approver, "finance2-reissue-done", extra_allowed=USER_NAMES)
    # The notice carries the new invoice's PDF; when the platform could not hand it over at the first attempt the
    # e-mail waits for the scheduled pass (every 5 minutes), which the test runs itself instead of waiting for it.
    wait_for_mail_nudging(site, new_number, what=f"the worker to e-mail the customer new invoice {new_number}",
                          nudge="from incidents.jobs import tick; tick(); print('ok')")
    assert new_number in site.sent_mail()  # the customer is told the new number

