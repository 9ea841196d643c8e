"""作业: finance finds a background job that gave up from the home page, reads why, presses 重试, and the worker
finishes it."""
from .story_helpers import py, wait_for

SMTP_WORDS = {"SMTPServerDisconnected", "Connection", "unexpectedly", "closed"}


def test_finance_retries_a_failed_redelivery_from_the_home_page(site, open_as, shots):
    number, job_id = py(site, (
        "from core.jobs.models import Job; from invoices.ledger.models import Invoice;"
        "i = Invoice.objects.filter(direction='blue', buyer__email__contains='@').order_by('id').first();"
        "j = Job.objects.create(name='reissue.redeliver', area='invoices', status='failed', attempts=6, max_attempts=6,"
        " params={'invoice_id': i.pk, 'email': i.buyer.email, 'actor_id': None, 'formats': ['pdf']},"
        " last_error='SMTPServerDisconnected: Connection unexpectedly closed');"
        "print(i.number, j.pk)")).splitlines()[-1].split()
    page = open_as("finance")
    row = page.locator("a", has_text="失败的后台作业")
    assert row.count() >= 1
    row.first.click()
    page.wait_for_load_state()
    shots(page, "failed-jobs", extra_allowed=SMTP_WORDS)
    listing = page.locator("#result_list").inner_text()
    assert "通过邮件重新发送发票" in listing and number in listing and "失败" in listing
    page.locator("#result_list a", has_text="通过邮件重新发送发票").first.click()
    page.wait_for_load_state()
    shots(page, "failed-job", extra_allowed=SMTP_WORDS)
    assert "SMTPServerDisconnected" in page.locator(".field-last_error").inner_text()
    page.get_by_role("button", name="重试").click()
    page.wait_for_load_state()
    assert "已重新排队" in page.locator("ul.messagelist").inner_text()
    wait_for(site, f"from core.jobs.models import Job; print(Job.objects.get(pk={job_id}).status)", "done",
             what=f"the worker to run retried job {job_id} (status done)")
    page.reload()
    shots(page, "retried-job", extra_allowed=SMTP_WORDS)
    assert "已完成" in page.locator(".field-status_label").inner_text()
    assert "SMTPServerDisconnected" not in page.locator(".field-last_error").inner_text()
