"""Imports through the services, all-or-nothing, with every bad row reported; export and permissions."""
import io

import pytest
import tablib
from django.urls import reverse
from django.utils import translation

from invoices.ledger.models import Customer, Invoice
from invoices.ledger.resources import (
    INVOICE_COLUMNS,
    LINE_COLUMNS,
    CustomerResource,
    InvoiceResource,
)

from ... import factories

pytestmark = pytest.mark.django_db


def customers_dataset(rows):
    return tablib.Dataset(*rows, headers=["name", "tax_id", "email"])


def test_customer_dry_run_reports_new_changed_skipped_and_every_invalid_row(customer, finance_user):
    new_id = factories.uscc()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in customer.tax_id)
    data = customers_dataset([
        ["新客户有限公司", new_id, "a@example.cn"],
        [customer.name, full_width, customer.email],  # unchanged (found via normalised tax id)
        [customer.name + "（更名）", customer.tax_id, customer.email],
        ["", factories.uscc(), ""],  # no name
        ["坏税号公司", "12345", ""],  # bad tax id
    ])
    result = CustomerResource().import_data(data, dry_run=True, user=finance_user)
    types = [r.import_type for r in result.rows]
    assert types == ["new", "skip", "update", "invalid", "invalid"]
    assert [r.number for r in result.invalid_rows] == [4, 5]
    assert "name" in result.invalid_rows[0].error_dict and "tax_id" in result.invalid_rows[1].error_dict
    assert not Customer.objects.filter(tax_id=new_id).exists()


def test_customer_apply_is_all_or_nothing(finance_user):
    before = Customer.objects.count()
    data = customers_dataset([["甲公司", factories.uscc(), ""], ["乙公司", "BAD!", ""]])
    result = CustomerResource().import_data(data, dry_run=False, user=finance_user, use_transactions=True,
                                            rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert Customer.objects.count() == before
    good = customers_dataset([["甲公司", factories.uscc(), ""]])
    result = CustomerResource().import_data(good, dry_run=False, user=finance_user, use_transactions=True,
                                            rollback_on_validation_errors=True)
    assert not result.has_validation_errors() and Customer.objects.count() == before + 1


def invoice_rows(seller, buyer, number, lines):
    return [[
        "", number, "digital_general", seller.tax_id, buyer.tax_id, "", "2026-10-02 10:00:00", "李娜", "",
        n, name, factories.SOFTWARE_MAINTENANCE_CODE, "", "", "", "", amount, rate, "", "0",
    ] for n, (name, amount, rate) in enumerate(lines, start=1)]


def test_invoice_import_groups_lines_and_reports_every_bad_row(seller, customer, finance_user):
    rows = (invoice_rows(seller, customer, "26112000000000000101", [("*服务*维护", "100.00", "0.13"),
                                                                   ("*服务*咨询", "50.00", "0.06")])
            + invoice_rows(seller, customer, "26112000000000000102", [("*服务*维护", "10.00", "0.13"),
                                                                     ("*服务*坏", "abc", "0.13")])
            + invoice_rows(seller, customer, "2.6112E+19", [("*服务*维护", "10.00", "0.13")])
            + invoice_rows(seller, customer, "26112000000000000103", [("*服务*维护", "10.00", "0.17")]))
    data = tablib.Dataset(*rows, headers=INVOICE_COLUMNS + LINE_COLUMNS)
    result = InvoiceResource().import_data(data, dry_run=True, user=finance_user)
    # Row 2 is a further line of invoice 101 (part of it); row 3 is the good first line of invalid invoice 102.
    assert [r.import_type for r in result.rows] == ["new", "skip", "invalid", "invalid", "invalid"]
    assert [r.number for r in result.invalid_rows] == [4, 5, 6]
    assert "line_amount" in result.invalid_rows[0].error_dict
    assert "number" in result.invalid_rows[1].error_dict
    assert "tax_rate" in result.invalid_rows[2].error_dict
    applied = InvoiceResource().import_data(data, dry_run=False, user=finance_user, use_transactions=True,
                                            rollback_on_validation_errors=True)
    assert applied.has_validation_errors() and not Invoice.objects.exists()
    good = tablib.Dataset(*rows[:2], headers=INVOICE_COLUMNS + LINE_COLUMNS)
    InvoiceResource().import_data(good, dry_run=False, user=finance_user, use_transactions=True,
                                  rollback_on_validation_errors=True)
    invoice = Invoice.objects.get(number="26112000000000000101")
    assert invoice.lines.count() == 2 and str(invoice.total) == "166.00"
    assert invoice.events.get().actor == finance_user
    again = InvoiceResource().import_data(good, dry_run=True, user=finance_user)
    assert [r.import_type for r in again.rows] == ["skip"]


def test_invoice_export_round_trips_one_row_per_line(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, lines=[factories.line("10.00"),
                                                                           factories.line("20.00", "0.06")])
    data = InvoiceResource().export(Invoice.objects.filter(pk=invoice.pk))
    assert len(data) == 2 and data.dict[1]["invoice number"] == invoice.number and data.dict[1]["amount"] == "20.00"


def _upload_import(client, url, content, name="data.csv"):
    file = io.BytesIO(content.encode("utf-8"))
    file.name = name
    return client.post(url, {"import_file": file, "format": 0, "resource": 0})


def test_admin_import_permissions(client, cs_user, finance_user):
    invoices_import = reverse("admin:invoices_invoice_import")
    customers_import = reverse("admin:invoices_customer_import")
    client.force_login(cs_user)
    assert client.get(invoices_import).status_code == 403
    assert client.get(customers_import).status_code == 200
    client.force_login(finance_user)
    assert client.get(invoices_import).status_code == 200


def test_admin_import_dry_run_then_confirm(client, finance_user, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 300  # the stock inline preview, kept for deployments that raise the setting
    client.force_login(finance_user)
    tax_id = factories.uscc()
    url = reverse("admin:invoices_customer_import")
    response = _upload_import(client, url, f"name,tax_id,email\n,{factories.uscc()},\n坏,BAD,\n")
    assert response.status_code == 200 and response.context["result"].has_validation_errors()
    assert "confirm_form" not in response.context
    response = _upload_import(client, url, f"name,tax_id,email\n导入公司,{tax_id},\n")
    confirm = response.context["confirm_form"]
    done = client.post(reverse("admin:invoices_customer_process_import"), confirm.initial)
    assert done.status_code == 302 and Customer.objects.filter(tax_id=tax_id).exists()


def test_admin_export_respects_filters_and_permissions(client, cs_user, seller, customer):
    kept = factories.invoice(seller_obj=seller, buyer=customer)
    factories.invoice(seller_obj=factories.seller(), buyer=customer)
    client.force_login(cs_user)
    url = reverse("admin:invoices_invoice_export") + f"?seller__id__exact={seller.pk}"
    response = client.post(url, {"format": 0, "resource": 0, "invoiceresource_number": True})
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode("utf-8-sig")
    assert kept.number in body and body.count("\n") == 2
    nobody = type(cs_user).objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.post(url, {"format": 0}).status_code == 403


def test_an_invoices_further_lines_are_not_counted_as_skipped_rows_and_show_their_number(seller, customer,
                                                                                       finance_user):
    rows = []
    for number in ("26112000000012340001", "26112000000012340002"):
        for n in (1, 2, 3):
            rows.append(["", number, "digital_general", seller.tax_id, customer.tax_id, customer.name,
                         "2026-10-02 10:00:00", "", "", n, "*服务*维护", factories.SOFTWARE_MAINTENANCE_CODE, "", "",
                         "", "", "100.00", "0.06", "", "0"])
    data = tablib.Dataset(*rows, headers=INVOICE_COLUMNS + LINE_COLUMNS)
    result = InvoiceResource().import_data(data, dry_run=True, user=finance_user)
    assert result.totals["new"] == 2 and result.totals["skip"] == 0 and result.totals["invalid"] == 0
    assert [r.diff[1] for r in result.rows] == ["26112000000012340001", "26112000000012340002"]
    again = InvoiceResource().import_data(data, dry_run=False, user=finance_user)
    again = InvoiceResource().import_data(data, dry_run=True, user=finance_user)
    assert [r.import_type for r in again.rows] == ["skip", "skip"]
    assert again.rows[0].diff[2] == "Already in the ledger with the same total."
    assert again.diff_headers == ["invoice code", "invoice number", "note"]


def test_admin_invoice_preview_names_columns_in_chinese_and_says_why_a_row_is_skipped(client, finance_user, seller,
                                                                                      customer, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 300  # the stock inline preview, kept for deployments that raise the setting
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    client.force_login(finance_user)
    with translation.override("zh-hans"):
        content = InvoiceResource().export(Invoice.objects.filter(pk=invoice.pk)).csv
    response = _upload_import(client, reverse("admin:invoices_invoice_import"), content)
    page = response.content.decode()
    assert "<th>number</th>" not in page and "发票号码" in page and "说明" in page
    assert "台账中已有这张发票" in page and invoice.number in page
