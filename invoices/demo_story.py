"""The demo's story (tests/browser/test_story.py walks it): 北京丰台医疗器械有限公司 cannot find two invoices of the
Beijing seller in the Beijing tax system. One never reached the platform (its upload failed): finance re-syncs it.
The other reached it with a mistyped buyer tax id (a typo that still passes the checksum): finance reissues it.
Built through the services; idempotent (found again by the contract number in the remarks)."""
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoices.ledger.identifiers import uscc_check_char
from invoices.ledger.models import Customer, Invoice, InvoiceKind, Seller, SyncStatus
from invoices.ledger.services.customers import customer_create
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.gateway import invoice_payload
from invoices.platform.models import PlatformInvoice
from invoices.platform.simulator import sim_receive

CUSTOMER = {"name": "北京丰台医疗器械有限公司", "tax_id": "91110106MA01FT2Q8", "email": "ap@fengtai.example.cn",
            "contact_name": "王会计", "phone": "010-63801234", "address": "北京市丰台区南四环西路188号"}
MISSING_REMARKS = "合同号 FT-2026-118"   # not on the platform: the upload failed
WRONG_TAX_ID_REMARKS = "合同号 FT-2026-121"  # on the platform under a mistyped buyer tax id
LINES = [{"name": "*医疗仪器器械*电子血压计", "tax_code": "1090999000000000000", "unit": "台",
          "quantity": Decimal("10"), "unit_price": Decimal("400.00"), "amount": Decimal("4000.00"),
          "tax_rate": Decimal("0.13")},
         {"name": "*医疗仪器器械*血氧仪", "tax_code": "1090999000000000000", "unit": "台",
          "quantity": Decimal("5"), "unit_price": Decimal("180.00"), "amount": Decimal("900.00"),
          "tax_rate": Decimal("0.13")}]


def _customer():
    found = Customer.objects.filter(name=CUSTOMER["name"]).order_by("id").first()
    if found is None:
        body = CUSTOMER["tax_id"]
        return customer_create(**{**CUSTOMER, "tax_id": body + uscc_check_char(body)})
    if not found.email:  # the story ends with an email to the customer
        Customer.objects.filter(pk=found.pk).update(email=CUSTOMER["email"])
        found.refresh_from_db()
    return found


def _typo(tax_id):
    """The same id with two neighbouring characters swapped and a recomputed check character: a typo the
    checksum does not catch."""
    body = tax_id[:17]
    i = next(i for i in range(10, 16) if body[i] != body[i + 1])
    body = body[:i] + body[i + 1] + body[i] + body[i + 2:]
    return body + uscc_check_char(body)


@transaction.atomic
def seed(*, actor=None):
    seller = Seller.objects.filter(region_code="11").order_by("id").first()
    if seller is None:
        return {"story": 0}
    customer = _customer()
    now = timezone.now()
    if not Invoice.objects.filter(remarks=MISSING_REMARKS).exists():
        invoice_issue(actor=actor, seller=seller, buyer=customer, kind=InvoiceKind.DIGITAL_SPECIAL, lines=LINES,
                      issued_at=now - timedelta(days=5), remarks=MISSING_REMARKS, drawer="李娜",
                      sync_status=SyncStatus.FAILED)
    if not Invoice.objects.filter(remarks=WRONG_TAX_ID_REMARKS).exists():
        wrong = invoice_issue(actor=actor, seller=seller, buyer=customer, kind=InvoiceKind.DIGITAL_SPECIAL,
                              lines=LINES[:1], issued_at=now - timedelta(days=3),
                              remarks=WRONG_TAX_ID_REMARKS, drawer="李娜", buyer_tax_id=_typo(customer.tax_id),
                              sync_status=SyncStatus.SYNCED)
        if not PlatformInvoice.objects.filter(number=wrong.number).exists():
            sim_receive(invoice_payload(wrong))
    return {"story": Invoice.objects.filter(remarks__in=[MISSING_REMARKS, WRONG_TAX_ID_REMARKS]).count()}
