"""The customer's side in a real browser, on a phone: look an invoice up, download it, appeal, follow the case,
answer the survey; staff see the appeal and the rating."""
import json
import re

import pytest

from .conftest import PHONE


@pytest.fixture
def customer_page(site, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, timezone_id="Asia/Shanghai",
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def a_synced_invoice(site):
    return json.loads(site.python(
        "import json; from invoices.ledger.models import Invoice;"
        "i = Invoice.objects.filter(sync_status='synced', direction='blue', code='', status='issued')"
        ".exclude(buyer__email='').order_by('id').first();"
        "print(json.dumps({'number': i.number, 'tax_id': i.buyer_tax_id, 'total': str(i.total), 'id': i.pk}))"))


def test_lookup_download_appeal_case_and_survey_on_a_phone(site, customer_page, open_as, shots):
    page, invoice = customer_page, a_synced_invoice(site)
    page.goto(site.url + "/portal/")
    shots(page, "portal-lookup")
    page.get_by_label("发票号码", exact=True).fill(invoice["number"])
    page.get_by_label("购买方纳税人识别号").fill(invoice["tax_id"])
    page.get_by_label("价税合计（元）").fill(invoice["total"])
    page.get_by_role("button", name="查询").click()
    result = page.locator("#result")
    assert "已找到发票" in result.inner_text() and "已上传至税务系统" in result.inner_text()
    shots(page, "portal-found")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name="仍有问题？提交申诉").click()
    assert invoice["number"] in page.inner_text("main")
    page.get_by_label("在税务系统查不到").check()
    page.get_by_label("问题描述").fill("北京税务系统里查不到这张发票，报销被退回。")
    page.get_by_label("您的姓名").fill("王会计")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("电子邮箱").fill("wang@fengtai.example.cn")
    shots(page, "portal-appeal")
    page.get_by_role("button", name="提交").click()
    banner = page.get_by_role("status").inner_text()
    reference = re.search(r"INC-\d{4}-\d{6}", banner).group(0)
    case_url = page.url.split("?")[0]
    shots(page, "portal-case")

    page.get_by_label("补充说明").fill("发票是 3 月份报销用的，请尽快处理。")
    page.get_by_role("button", name="发送", exact=True).click()
    assert "请尽快处理" in page.inner_text("main")

    # The rep finds the appeal in the shared queue of the incident list and resolves it (the incident desk's
    # own story is walked in test_story.py).
    rep = open_as("cs")
    rep.goto(site.url + "/admin/incidents/incident/?q=" + reference)
    assert reference in rep.inner_text("#result_list")
    site.python(
        "from incidents.models import Incident; from incidents.services.incidents import incident_transition;"
        "from django.contrib.auth import get_user_model; u = get_user_model().objects.get(username='cs');"
        f"i = Incident.objects.get(reference='{reference}');"
        "from incidents.models import RootCauseCategory, IncidentStep;"
        "from incidents.services.steps import incident_step_skip;"
        "[incident_step_skip(step=s, actor=u, reason='申诉已在台账核实，此步不适用') for s in "
        "IncidentStep.objects.filter(incident=i, done_at__isnull=True).order_by('position')];"
        "i.refresh_from_db();"
        "incident_transition(incident=i, to='resolved', actor=u, root_cause='上传任务失败', resolution='已重新上传',"
        " root_cause_category=RootCauseCategory.objects.get(code='sync_job_failed'))")

    page.goto(case_url)
    assert "已解决" in page.inner_text("main")
    page.get_by_role("link", name="评价本次服务").click()
    shots(page, "portal-survey")
    page.get_by_label("4 分 – 满意").check()
    page.get_by_label("是", exact=True).check()
    page.get_by_label("其他意见或建议（选填）").fill("处理及时")
    page.get_by_role("button", name="提交").click()
    assert "感谢您的评价" in page.inner_text("main")
    shots(page, "portal-survey-done")

    manager = open_as("manager")
    manager.goto(site.url + "/admin/incidents/incident/?satisfaction=high")
    assert reference in manager.inner_text("#result_list")
    manager.get_by_role("link", name=reference).click()
    assert "4/5" in manager.inner_text("#content")
    shots(manager, "manager-sees-rating")


def test_a_wrong_detail_gets_the_neutral_answer(site, customer_page, shots):
    page, invoice = customer_page, a_synced_invoice(site)
    page.goto(site.url + "/portal/")
    page.get_by_label("发票号码", exact=True).fill(invoice["number"])
    page.get_by_label("购买方纳税人识别号").fill(invoice["tax_id"])
    page.get_by_label("价税合计（元）").fill("1.00")
    page.get_by_role("button", name="查询").click()
    assert "未找到匹配的发票" in page.locator("#result").inner_text()
    shots(page, "portal-not-found")
    page.goto(site.url + "/portal/cases/not-a-token/")
    assert "链接无效" in page.inner_text("main")
    shots(page, "portal-link-invalid")
