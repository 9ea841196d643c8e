"""The demo's story data (invoices/demo_story.py): the customer, one invoice the platform lacks, one it holds under a
mistyped buyer tax id; seeding twice adds nothing."""
import pytest

from invoices import demo, demo_story
from invoices.ledger.identifiers import uscc_check_char
from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import PlatformInvoice

pytestmark = pytest.mark.django_db


def test_story_invoices_are_seeded_once():
    demo.seed(invoices=10, customers=3)
    assert demo_story.seed() == {"story": 2}
    assert demo_story.seed() == {"story": 2}
    missing = Invoice.objects.get(remarks=demo_story.MISSING_REMARKS)
    wrong = Invoice.objects.get(remarks=demo_story.WRONG_TAX_ID_REMARKS)
    assert missing.buyer.name == "北京丰台医疗器械有限公司" and missing.seller.region_code == "11"
    assert missing.buyer.email and missing.sync_status == SyncStatus.FAILED
    assert not PlatformInvoice.objects.filter(number=missing.number).exists()
    assert wrong.buyer_tax_id != wrong.buyer.tax_id
    assert wrong.buyer_tax_id[-1] == uscc_check_char(wrong.buyer_tax_id[:17])  # a typo the checksum lets through
    assert PlatformInvoice.objects.filter(number=wrong.number).exists()
