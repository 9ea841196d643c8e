"""One way of writing money: ¥1,234.50 and -¥106,000.00 wherever people read it (the PDF, the admin, emails,
the portal, reports); every formatter of the project is this function."""
from decimal import Decimal

import pytest

from core.admin.written import money
from core.money_text import figures, yuan
from incidents.reporting.formats import format_yuan
from invoices.ledger.capitals import yuan as ledger_yuan
from portal.templatetags.portal_format import yuan as portal_yuan


@pytest.mark.parametrize("value,written", [
    (Decimal("-106000"), "-¥106,000.00"), (Decimal("1234.5"), "¥1,234.50"), ("-0.005", "-¥0.01"),
    ("0.005", "¥0.01"), (0, "¥0.00"), ("-113.00", "-¥113.00"), (Decimal("12345678.9"), "¥12,345,678.90"),
])
def test_every_formatter_writes_the_sign_before_the_yuan(value, written):
    assert yuan(value) == money(value) == ledger_yuan(value) == portal_yuan(value) == format_yuan(value) == written


def test_nothing_and_table_cells():
    assert yuan(None) == yuan("") == money(None) == portal_yuan("") == ""
    assert yuan("abc") == ""
    assert figures(Decimal("-106000")) == "-106,000.00" and figures(None) == ""
