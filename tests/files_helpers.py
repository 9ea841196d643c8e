"""Invoice-file helpers: put an invoice on the simulated platform, read a PDF's text with pdftotext."""
import subprocess

import pytest

from invoices.platform.gateway import invoice_payload
from invoices.platform.simulator import sim_receive

from .system_tools import require


def on_platform(invoice):
    """What a successful upload leaves on the simulated platform, without running the sync."""
    record, _created = sim_receive(invoice_payload(invoice))
    return record


def pdf_text(content):
    require("pdftotext")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True,
                            check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture
def media(settings, tmp_path):
    """Stored invoice files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
