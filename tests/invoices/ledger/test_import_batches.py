"""The invoice import in batches (InvoiceResource → invoice_issue_batch): the same report whatever the batch size,
every bad row at once, all-or-nothing, and the admin screen end to end."""
import io

import pytest
import tablib
from django.urls import reverse

from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceLine, NumberSequence
from invoices.ledger.resources import INVOICE_COLUMNS, LINE_COLUMNS, InvoiceResource
from invoices.platform.models import SyncState

from ... import factories

pytestmark = pytest.mark.django_db


class TinyBatches(InvoiceResource):
    import_batch_size = 2


def row(seller_tax_id, buyer_tax_id, number, amount="100.00", rate="0.13", *, kind="digital_general",
        issued_at="2026-10-02 10:00:00", name="*服务*维护", code=""):
    return [code, number, kind, seller_tax_id, buyer_tax_id, "", issued_at, "李娜", "",
            "", name, factories.SOFTWARE_MAINTENANCE_CODE, "", "", "", "", amount, rate, "", "0"]


def n(i):
    return f"261120000000{i:08d}"


@pytest.fixture
def mixed_file(seller, customer):
    s, b = seller.tax_id, customer.tax_id
    same = factories.invoice(seller_obj=seller, buyer=customer, number=n(900), lines=[factories.line("100.00")])
    factories.invoice(seller_obj=seller, buyer=customer, number=n(901), lines=[factories.line("100.00")])
    rows = [
        row(s, b, n(1)),                     # 1 new, two lines: rows 1 and 6
        row(s, b, n(2), amount="abc"),       # 2 invalid line
        row(s, b, same.number),              # 3 in the ledger with the same data: skipped
        row(s, b, n(901), amount="5.00"),    # 4 in the ledger with other data: invalid
        row(s, "91110108000000000X", n(3)),  # 5 unknown buyer
        row(s, b, n(1), "50.00", "0.06"),    # 6 second line of invoice 1
        row("91110000000000000Y", b, n(4)),  # 7 unknown seller
        row(s, b, n(5), issued_at="昨天"),    # 8 bad time
        row(s, b, n(6), kind="paper"),       # 9 unknown kind
        row(s, b, ""),                       # 10 no number
        row(s, b, n(7), rate="0.17"),        # 11 rate not in use
        row(s, b, n(8)),                     # 12 new
        row(s, b, n(2)),                     # 13 second line of the invalid invoice 2: fine itself
        row(s, b, n(9), name=""),            # 14 line without a name
        row(s, b, "2.6112E+19"),             # 15 number damaged by a spreadsheet
        row(s, b, n(10)),                    # 16 new
    ]
    return tablib.Dataset(*rows, headers=INVOICE_COLUMNS + LINE_COLUMNS)


def report(result):
    return [(r.import_type, sorted(r.validation_error.message_dict) if r.validation_error else None,
             r.object_repr) for r in result.rows]


def test_dry_run_reports_every_row_the_same_in_any_batch_size(mixed_file, finance_user):
    one = InvoiceResource().import_data(mixed_file, dry_run=True, user=finance_user)
    tiny = TinyBatches().import_data(mixed_file, dry_run=True, user=finance_user)
    assert report(tiny) == report(one)
    types = [r.import_type for r in one.rows]
    # Rows 6 and 13 are further lines of invoices 1 and 2: part of those invoices, not rows of their own.
    assert types == ["new", "invalid", "skip", "invalid", "invalid", "invalid", "invalid", "invalid",
                     "invalid", "invalid", "new", "invalid", "invalid", "new"]
    invalid = {r.number: r.error_dict for r in one.invalid_rows}
    assert set(invalid[2]) == {"line_amount"} and set(invalid[4]) == {"number"}
    assert set(invalid[5]) == {"buyer_tax_id"} and set(invalid[7]) == {"seller_tax_id"}
    assert set(invalid[8]) == {"issued_at"} and set(invalid[9]) == {"kind"} and set(invalid[10]) == {"number"}
    assert set(invalid[11]) == {"tax_rate"} and set(invalid[14]) == {"line_name"} and set(invalid[15]) == {"number"}
    assert not Invoice.objects.filter(number__in=[n(1), n(8), n(10)]).exists()  # a dry run writes nothing


def test_one_bad_row_in_the_last_batch_rolls_back_every_batch(seller, customer, finance_user,
                                                              django_capture_on_commit_callbacks):
    rows = [row(seller.tax_id, customer.tax_id, n(i)) for i in range(1, 8)]
    rows.append(row(seller.tax_id, customer.tax_id, n(99), amount="-5.00"))  # blue total below zero
    data = tablib.Dataset(*rows, headers=INVOICE_COLUMNS + LINE_COLUMNS)
    before = [m.objects.count() for m in (Invoice, InvoiceLine, InvoiceEvent, SyncState, Invoice.history.model)]
    sequences = list(NumberSequence.objects.values_list("id", "last"))
    with django_capture_on_commit_callbacks() as hooks:
        result = TinyBatches().import_data(data, dry_run=False, user=finance_user, use_transactions=True,
                                           rollback_on_validation_errors=True)
    assert [r.number for r in result.invalid_rows] == [8]
    assert [m.objects.count() for m in (Invoice, InvoiceLine, InvoiceEvent, SyncState, Invoice.history.model)] == before
    assert list(NumberSequence.objects.values_list("id", "last")) == sequences
    assert hooks == []  # nothing announced, nothing queued for upload


def test_admin_import_confirms_through_batches_with_the_user_on_every_record(client, seller, customer, finance_user,
                                                                            settings):
    settings.IMPORT_INLINE_MAX_ROWS = 300  # the inline path (a deployment may keep it for small files)
    client.force_login(finance_user)
    header = ",".join(INVOICE_COLUMNS + LINE_COLUMNS)
    body = "\n".join(",".join(str(v) for v in row(seller.tax_id, customer.tax_id, n(i), amount=f"{i}.00"))
                     for i in range(1, 4))
    file = io.BytesIO(f"{header}\n{body}\n".encode("utf-8"))
    file.name = "invoices.csv"
    response = client.post(reverse("admin:invoices_invoice_import"), {"import_file": file, "format": 0,
                                                                      "resource": 0})
    assert response.status_code == 200 and not response.context["result"].has_validation_errors()
    assert not Invoice.objects.exists()  # the dry run
    done = client.post(reverse("admin:invoices_invoice_process_import"), response.context["confirm_form"].initial)
    assert done.status_code == 302
    invoices = list(Invoice.objects.order_by("number"))
    assert [inv.number for inv in invoices] == [n(1), n(2), n(3)]
    for inv in invoices:
        assert inv.created_by == finance_user and inv.events.get().actor == finance_user
        assert inv.history.get().history_user == finance_user
