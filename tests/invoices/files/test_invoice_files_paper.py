"""Paper invoices never get a made-up e-file: the file service, the API, the customer link, the ZIP, the invoice
page, the portal, re-delivery and email attachments all say the paper original is with the buyer; e-invoices of
the same customer keep every file."""
import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.services.communications import communication_send_email
from invoices.files.links import invoice_file_url
from invoices.files.models import InvoiceFile
from invoices.files.services.archive import MISSING_NAME, zip_stream
from invoices.files.services.fetch import InvoicePaperOriginal, invoice_file_get
from invoices.ledger.models import InvoiceKind
from invoices.reissue.services.redeliver import invoice_redeliver

from ...files_helpers import media  # noqa: F401  (fixture)
from .files_cases import issued, software_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PAPER = [InvoiceKind.VAT_SPECIAL, InvoiceKind.VAT_GENERAL, InvoiceKind.VAT_GENERAL_ROLL, InvoiceKind.MOTOR_VEHICLE,
         InvoiceKind.DIGITAL_PAPER_SPECIAL, InvoiceKind.DIGITAL_PAPER_GENERAL]
NUMBERS = {InvoiceKind.DIGITAL_PAPER_SPECIAL: "26112000000000000731",
           InvoiceKind.DIGITAL_PAPER_GENERAL: "26112000000000000732"}
SENTENCE = "纸质发票原件已交付购买方"


def paper_invoice(seller, customer, kind=InvoiceKind.VAT_SPECIAL):
    if kind in NUMBERS:
        code, number = "", NUMBERS[kind]
    else:  # a 专票's code has 10 digits, the others' 12
        code, number = ("1100222130" if kind == InvoiceKind.VAT_SPECIAL else "011002200111"), "01234567"
    return issued(seller, customer, [software_line("1000.00")], kind=kind, code=code, number=number)


@pytest.mark.parametrize("kind", PAPER)
def test_the_file_service_offers_no_file_for_a_paper_invoice(seller, customer, kind):
    paper = paper_invoice(seller, customer, kind)
    for fmt in ("pdf", "ofd", "xml"):
        with pytest.raises(InvoicePaperOriginal, match="paper original is with the buyer"):
            invoice_file_get(invoice=paper, fmt=fmt)
    assert not InvoiceFile.objects.exists()


def test_e_invoices_keep_their_files(seller, customer):
    for kind, code, number in ((InvoiceKind.DIGITAL_GENERAL, "", ""),
                               (InvoiceKind.VAT_ELECTRONIC_GENERAL, "011001605111", "80100798")):
        invoice = issued(seller, customer, [software_line("1000.00")], kind=kind, code=code, number=number)
        assert invoice_file_get(invoice=invoice, fmt="pdf").size > 0


def test_api_and_customer_link_say_the_paper_original_is_with_the_buyer(client, seller, customer, cs_user):
    from rest_framework.test import APIClient

    paper = paper_invoice(seller, customer)
    api = APIClient()
    api.force_authenticate(cs_user)
    response = api.get(f"/api/v1/invoices/{paper.pk}/file/?format=pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404 and SENTENCE in response.json()["detail"]
    page = client.get(invoice_file_url(paper))
    assert page.status_code == 404 and SENTENCE in page.content.decode()


def test_the_zip_lists_a_paper_invoice_instead_of_a_file(seller, customer):
    paper = paper_invoice(seller, customer)
    digital = issued(seller, customer, [software_line("1000.00")])
    with zipfile.ZipFile(io.BytesIO(b"".join(zip_stream([paper, digital])))) as archive:
        assert set(archive.namelist()) == {f"{digital.number}.pdf", MISSING_NAME}
        assert paper.number in archive.read(MISSING_NAME).decode()


def test_invoice_page_shows_the_paper_original_instead_of_downloads(client, seller, customer, cs_user):
    paper = paper_invoice(seller, customer)
    client.force_login(cs_user)
    page = client.get(reverse("admin:invoices_invoice_change", args=[paper.pk])).content.decode()
    assert SENTENCE in page
    assert reverse("admin:invoices_invoice_file", args=[paper.pk, "pdf"]) not in page
    assert reverse("admin:invoices_invoice_redeliver", args=[paper.pk]) not in page


def test_portal_offers_no_download_for_a_paper_invoice(client, seller, customer, settings):
    settings.PORTAL_LOOKUP_MIN_SECONDS = 0
    cache.clear()
    paper = paper_invoice(seller, customer)
    response = client.post("/portal/", {"number": paper.number, "code": paper.code,
                                        "buyer_tax_id": paper.buyer_tax_id, "total": str(paper.total),
                                        "issued_on": "", "website": ""}, REMOTE_ADDR="198.51.100.7")
    html = response.content.decode()
    cache.clear()
    assert response.status_code == 200, html
    assert paper.number in html and SENTENCE in html and "/files/" not in html


def test_re_delivery_and_attachments_are_refused_with_the_reason(seller, customer):
    paper = paper_invoice(seller, customer)
    with pytest.raises(ValidationError) as refused:
        invoice_redeliver(invoice=paper, actor=None, email=customer.email)
    assert "invoice" in refused.value.message_dict
    with pytest.raises(ValidationError) as attached:
        communication_send_email(actor=None, customer=customer, invoice=paper, subject="发票", body="见附件",
                                 attachments=["pdf"])
    assert "attachments" in attached.value.message_dict
