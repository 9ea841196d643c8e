"""`download` over the wire against the real simulator server: 200 with the bytes and their type, 404, 5xx and a
timeout as PlatformUnavailable, a bad format refused. Transactional: the server thread has its own connection."""
import threading

import pytest

from invoices.ledger.models import SyncStatus
from invoices.platform.gateway import PlatformRejected, PlatformUnavailable, get_gateway
from invoices.platform.http import HttpGateway
from invoices.platform.server import PlatformHandler
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...files_helpers import pdf_text
from ...sync_helpers import live_platform  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def platform(live_platform):  # noqa: F811  (the name imported above is the fixture itself)
    return live_platform


class SlowFiles(PlatformHandler):
    release = threading.Event()

    def _file(self, code, number, fmt):
        self.release.wait(timeout=10)
        super()._file(code, number, fmt)


def test_files_in_every_format_and_404(platform):
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway)
    invoice = factories.invoice()  # uploaded to the live platform by the sync after commit
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.SYNCED
    pdf = gateway.download(invoice, "pdf")
    assert pdf.content_type == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert invoice.number in pdf_text(pdf.content)
    xml = gateway.download(invoice, "xml")
    assert xml.content_type == "application/xml" and invoice.number.encode() in xml.content
    ofd = gateway.download(invoice, "ofd")
    assert ofd.content_type == "application/ofd" and ofd.content.startswith(b"PK")

    missing = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    missing.number = "99999999999999999999"
    assert gateway.download(missing, "pdf") is None


def test_legacy_invoice_asks_with_its_code(platform):
    invoice = factories.invoice(code="011001900111", number="12345678",
                                kind="vat_electronic_general")
    text = pdf_text(get_gateway().download(invoice, "pdf").content)
    assert "发票代码：011001900111" in text and "12345678" in text
    invoice.code = "011001900222"
    assert get_gateway().download(invoice, "pdf") is None  # same number, other code: not that invoice


def test_outage_is_unavailable_and_a_bad_format_is_rejected(platform):
    invoice = factories.invoice()
    gateway = HttpGateway()
    with pytest.raises(ValueError):
        gateway.download(invoice, "docx")
    gateway_path_check = gateway._exchange("GET", f"/invoices/{invoice.number}/file?format=docx")
    assert gateway_path_check[0] == 422
    row = sim_settings_row()
    row.outage = True
    row.save()
    with pytest.raises(PlatformUnavailable) as exc:
        gateway.download(invoice, "pdf")
    assert "503" in str(exc.value)
    assert not isinstance(exc.value, PlatformRejected)


def test_timeout_is_unavailable(platform, settings):
    invoice = factories.invoice()
    settings.TAX_PLATFORM_READ_TIMEOUT = 0.5
    SlowFiles.release.clear()
    platform.stop()
    platform.start(handler=SlowFiles)
    try:
        with pytest.raises(PlatformUnavailable) as exc:
            get_gateway().download(invoice, "pdf")
        assert "timed out" in str(exc.value)
    finally:
        SlowFiles.release.set()


def test_server_down_is_unavailable(platform):
    invoice = factories.invoice()
    platform.stop()
    with pytest.raises(PlatformUnavailable):
        get_gateway().download(invoice, "xml")
