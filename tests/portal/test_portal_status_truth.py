"""The portal's status of an invoice is what the ledger holds, in the customer's words: a partly red-flushed invoice
is still valid for the rest, a voided paper invoice was voided (not red-flushed), a red invoice names the invoice it
cancels, an invoice uploaded today is not yet on the national 查验平台, one not uploaded says so."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.ledger.models import Invoice, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_void
from invoices.reissue.services.reissue import invoice_reissue_request
from portal.selectors import invoice_portal_status

from .. import factories
from ..files_helpers import media  # noqa: F401  (fixture)
from ..reissue_helpers import approve_and_complete, blue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def page(client, invoice):
    data = {"number": invoice.number, "code": invoice.code, "buyer_tax_id": invoice.buyer_tax_id,
            "total": str(invoice.total), "issued_on": "", "website": ""}
    response = client.post("/portal/", data, REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 200
    return response.content.decode()


def test_a_partly_red_flushed_invoice_stays_valid_for_the_rest_and_its_red_invoice_says_what_it_cancels(
        client, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks):
    original = blue(seller, customer, "1000.00", "500.00")  # ¥1,695.00
    req = invoice_reissue_request(invoice=original, actor=finance_user, reason="04", scope="partial",
                                  issue_new=False, red_lines=[{"line_no": 1, "amount": "100.00"}])
    req = approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    original.refresh_from_db()
    status = invoice_portal_status(original)
    assert (status.key, status.credited, status.remaining) == (
        "partly_red_flushed", Decimal("-113.00"), Decimal("1582.00"))
    html = page(client, original)
    assert f"红字发票 {req.red_invoice.number} 冲减了其中 -¥113.00。该发票其余部分仍然有效，冲减后价税合计为 ¥1,582.00。" in html
    assert "已在税务系统可查" not in html and "不再有效" not in html
    red_html = page(client, req.red_invoice)
    assert f"这是一张红字（负数）发票，用于冲销发票 {original.number}（价税合计 ¥1,695.00）" in red_html


def test_a_voided_paper_invoice_reads_voided(client, seller, customer, finance_user):
    paper = factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.VAT_GENERAL, code="011002200111",
                              number="00012345")
    invoice_void(invoice=paper, actor=finance_user, reason="开票有误")
    paper.refresh_from_db()
    html = page(client, paper)
    assert "该纸质发票已作废，不再有效。" in html and "红冲" not in html


def test_today_older_and_not_uploaded(client, seller, customer):
    today = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.SYNCED)
    assert invoice_portal_status(today).key == "uploaded_today"
    older = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.SYNCED,
                              issued_at=timezone.now() - timedelta(days=3))
    assert "已上传至税务系统，可在全国增值税发票查验平台和购买方的税务数字账户中查验。" in page(client, older)
    waiting = factories.invoice(seller_obj=seller, buyer=customer)
    Invoice.objects.filter(pk=waiting.pk).update(sync_status=SyncStatus.FAILED)
    html = page(client, waiting)
    assert "尚未同步到税务系统" in html
    assert "可以查到" not in html and "可在全国增值税发票查验平台" not in html


def test_files_are_offered_once_uploaded_and_a_reissued_invoice_offers_its_replacement(
        client, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks):
    waiting = factories.invoice(seller_obj=seller, buyer=customer)
    Invoice.objects.filter(pk=waiting.pk).update(sync_status=SyncStatus.PENDING)
    html = page(client, waiting)
    assert "/files/" not in html and "发票上传至税务系统后，即可在此下载发票文件。" in html
    original = blue(seller, customer, "1000.00")
    req = approve_and_complete(factories.reissue_request(original, finance_user), finance_user2,
                               django_capture_on_commit_callbacks)
    original.refresh_from_db()
    new = req.new_invoice
    html = page(client, original)
    assert f"以下是重新开具的新发票 {new.number} 的文件。" in html
    from invoices.files.links import invoice_from_file_token

    tokens = [part.split("/")[0] for part in html.split("/files/")[1:]]
    assert tokens and {invoice_from_file_token(t, "pdf") for t in tokens[:1]} == {new}


def test_an_unavailable_file_link_is_a_page_in_the_portal_look_with_a_way_on(client):
    response = client.get("/files/not-a-token/")
    html = response.content.decode()
    assert response.status_code == 404 and "portal.css" in html and "/portal/appeal/" in html and "查询发票" in html
