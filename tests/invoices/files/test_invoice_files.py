"""Invoice files in the back office: the stored copy and its hash, the customer's signed link (tamper, expiry,
other invoice), staff and API downloads with the same permission, each logged as an invoice event."""
import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from invoices.files.links import SALT, invoice_file_url, invoice_from_file_token
from invoices.files.models import InvoiceFile
from invoices.files.services.fetch import InvoiceFileMissing, InvoiceFileUnavailable, invoice_file_get
from invoices.ledger.models import InvoiceEventKind
from invoices.platform.models import PlatformInvoice
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...files_helpers import media, on_platform, pdf_text  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def outage(on=True):
    row = sim_settings_row()
    row.outage = on
    row.save()


def downloads(invoice):
    return list(invoice.events.filter(kind=InvoiceEventKind.FILE_DOWNLOADED).values_list("data", flat=True))


def test_first_fetch_is_stored_with_its_hash_and_served_after(invoice):
    on_platform(invoice)
    first = invoice_file_get(invoice=invoice, fmt="pdf")
    content = first.file.open("rb").read()
    assert first.sha256 == hashlib.sha256(content).hexdigest() and first.size == len(content)
    outage()  # the platform is down: the stored copy is still there
    again = invoice_file_get(invoice=invoice, fmt="pdf")
    assert again.pk == first.pk and InvoiceFile.objects.count() == 1


def test_a_red_flushed_invoice_keeps_its_original_file(invoice):
    record = on_platform(invoice)
    original = invoice_file_get(invoice=invoice, fmt="xml").file.open("rb").read()
    # The platform's record changes later (red-flushed, data corrected): what was delivered stays what we keep.
    PlatformInvoice.objects.filter(pk=record.pk).update(status="已红冲-全额",
                                                        payload={**record.payload, "buyer_name": "改过的名称"})
    assert invoice_file_get(invoice=invoice, fmt="xml").file.open("rb").read() == original


def test_platform_down_or_without_the_invoice(invoice):
    with pytest.raises(InvoiceFileMissing):
        invoice_file_get(invoice=invoice, fmt="pdf")
    on_platform(invoice)
    outage()
    with pytest.raises(InvoiceFileUnavailable) as exc:
        invoice_file_get(invoice=invoice, fmt="pdf")
    assert exc.value.waiting and not InvoiceFile.objects.exists()


# --- the customer's link ---

def test_link_downloads_without_login_and_is_logged(client, invoice):
    on_platform(invoice)
    url = invoice_file_url(invoice)
    assert url.startswith("/files/") and url.endswith("/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
    assert invoice.number in pdf_text(b"".join(response.streaming_content))
    xml = client.get(invoice_file_url(invoice, fmt="xml"))
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert [d["via"] for d in downloads(invoice)] == ["link", "link"]
    assert invoice.events.filter(kind=InvoiceEventKind.FILE_DOWNLOADED, actor__isnull=True).count() == 2


def test_link_is_for_that_invoice_only(invoice, seller, customer):
    other = factories.invoice(seller_obj=seller, buyer=customer)
    token = invoice_file_url(invoice).split("/")[2]
    assert invoice_from_file_token(token, "pdf") == invoice
    # Same id, another number (a token for a deleted-and-reused id, or forged data): refused.
    forged = signing.dumps({"i": other.pk, "n": invoice.number}, salt=SALT, compress=True)
    with pytest.raises(Exception):
        invoice_from_file_token(forged, "pdf")
    # A token made for another purpose with the same key is no download link.
    with pytest.raises(Exception):
        invoice_from_file_token(signing.dumps({"i": invoice.pk, "n": invoice.number}), "pdf")


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: "x" + t,  # payload changed
    lambda t: "not-a-token",
])
def test_tampered_link_is_a_chinese_404_offering_the_portal(client, invoice, spoil):
    on_platform(invoice)
    token = invoice_file_url(invoice).split("/")[2]
    response = client.get(reverse("invoice-file-link", args=[spoil(token)]), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 404
    assert "下载链接无效" in page and 'href="/portal/"' in page
    assert not downloads(invoice)


def test_expired_link_is_the_same_404(client, invoice, settings):
    on_platform(invoice)
    settings.INVOICE_FILE_LINK_DAYS = 30
    url = invoice_file_url(invoice)
    later = signing.time.time() + timedelta(days=31).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(url)
    assert response.status_code == 404 and "下载链接无效" in response.content.decode()
    with mock.patch("django.core.signing.time.time", return_value=later - timedelta(days=2).total_seconds()):
        assert client.get(url).status_code == 200


def test_link_while_the_platform_is_down_says_try_later(client, invoice):
    on_platform(invoice)
    outage()
    response = client.get(invoice_file_url(invoice))
    assert response.status_code == 503 and "稍后" in response.content.decode()


def test_link_with_unknown_format_is_404(client, invoice):
    on_platform(invoice)
    assert client.get(invoice_file_url(invoice) + "?format=docx").status_code == 404


# --- staff ---

def test_invoice_page_has_the_download_buttons_for_every_reader(client, invoice, cs_user, finance_user):
    on_platform(invoice)
    for user in (cs_user, finance_user):
        client.force_login(user)
        page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
        for fmt in ("pdf", "ofd", "xml"):
            assert reverse("admin:invoices_invoice_file", args=[invoice.pk, fmt]) in page
        assert "下载 PDF" in page
    response = client.get(reverse("admin:invoices_invoice_file", args=[invoice.pk, "ofd"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
    assert downloads(invoice)[-1]["via"] == "staff"
    assert invoice.events.filter(kind=InvoiceEventKind.FILE_DOWNLOADED, actor=finance_user).exists()


def test_staff_download_needs_view_invoice(client, invoice, django_user_model):
    on_platform(invoice)
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get(reverse("admin:invoices_invoice_file", args=[invoice.pk, "pdf"])).status_code == 403
    assert not downloads(invoice)


def test_staff_download_while_platform_down_says_so(client, invoice, cs_user):
    on_platform(invoice)
    outage()
    client.force_login(cs_user)
    response = client.get(reverse("admin:invoices_invoice_file", args=[invoice.pk, "pdf"]), follow=True)
    assert response.redirect_chain and "税务平台" in response.content.decode()


# --- API ---

def api_url(invoice, fmt=None):
    url = f"/api/v1/invoices/{invoice.pk}/file/"
    return url if fmt is None else f"{url}?format={fmt}"


@pytest.fixture
def api(cs_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(cs_user)
    return client


def test_api_file_in_each_format(api, invoice, cs_user):
    on_platform(invoice)
    for fmt, content_type in (("pdf", "application/pdf"), ("ofd", "application/ofd"), ("xml", "application/xml")):
        response = api.get(api_url(invoice, fmt))
        assert response.status_code == 200 and response["Content-Type"] == content_type
        assert f"{invoice.number}.{fmt}" in response["Content-Disposition"]
    assert api.get(api_url(invoice)).status_code == 200  # pdf by default
    assert [d["via"] for d in downloads(invoice)] == ["api"] * 4


def test_api_bad_format_is_400_naming_the_field(api, invoice):
    response = api.get(api_url(invoice, "docx"))
    assert response.status_code == 400 and "format" in response.json()


def test_api_missing_and_unavailable(api, invoice):
    assert api.get(api_url(invoice, "pdf")).status_code == 404  # never reached the platform
    on_platform(invoice)
    outage()
    response = api.get(api_url(invoice, "pdf"))
    assert response.status_code == 503 and response.json()["detail"]


def test_api_needs_the_read_permission(invoice, django_user_model):
    from rest_framework.test import APIClient

    on_platform(invoice)
    client = APIClient()
    assert client.get(api_url(invoice, "pdf")).status_code in (401, 403)
    client.force_authenticate(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(api_url(invoice, "pdf")).status_code == 403
    assert not downloads(invoice)
