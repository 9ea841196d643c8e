"""Exports are safe to open: text cells that a spreadsheet would run as a formula are neutralised in CSV and XLSX,
in every export of the project; plain numbers, negative amounts included, stay numbers."""
import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from openpyxl import load_workbook

from core.export_safety import SafeExportResource, safe_cell, safe_dataset
from incidents.models import FollowUp, Incident
from incidents.resources import FollowUpResource, IncidentResource
from incidents.services.followups import followup_create
from invoices.ledger.models import Customer, Invoice, InvoiceLine
from invoices.ledger.resources import CustomerResource, InvoiceResource

from .. import factories
from ..incident_helpers import open_incident

HOSTILE = ['=HYPERLINK("http://evil","x")', "=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.50", "+3", "-0.00", "1e5", Decimal("-12.50"), -3, 2.5, None, "普通公司", ""])
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value


def _cells(dataset):
    """Every data cell as a CSV reader and as openpyxl see the exported files: (csv text, xlsx value, xlsx type)."""
    csv_rows = list(csv.reader(io.StringIO(dataset.export("csv"))))[1:]
    sheet = load_workbook(io.BytesIO(dataset.export("xlsx"))).active
    xlsx_rows = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]
    return csv_rows, xlsx_rows


def _assert_neutralised(dataset, hostile_values):
    csv_rows, xlsx_rows = _cells(dataset)
    csv_cells = {v for row in csv_rows for v in row}
    xlsx_cells = {v: t for row in xlsx_rows for v, t in row}
    for value in hostile_values:
        assert "'" + value in csv_cells and value not in csv_cells
        assert xlsx_cells.get("'" + value) == "s" and value not in xlsx_cells
    assert all(t != "f" for t in xlsx_cells.values())  # no live formula anywhere


def test_negative_amounts_stay_numbers_in_a_safe_dataset():
    data = tablib.Dataset(headers=["name", "amount", "text"])
    data.append(["=1+1", Decimal("-12.50"), "-12.50"])
    safe = safe_dataset(data)
    assert list(safe[0]) == ["'=1+1", Decimal("-12.50"), "-12.50"]
    sheet = load_workbook(io.BytesIO(safe.export("xlsx"))).active
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == Decimal("-12.50")


@pytest.mark.django_db
def test_customer_export(db):
    customer = factories.customer()
    Customer.objects.filter(pk=customer.pk).update(name=HOSTILE[0], contact_name=HOSTILE[1], address=HOSTILE[2],
                                                   bank_name=HOSTILE[3])
    _assert_neutralised(CustomerResource().export(Customer.objects.filter(pk=customer.pk)), HOSTILE[:4])


@pytest.mark.django_db
def test_invoice_export(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    Invoice.objects.filter(pk=invoice.pk).update(buyer_name=HOSTILE[0], remarks=HOSTILE[2], drawer=HOSTILE[3])
    InvoiceLine.objects.filter(invoice=invoice).update(name=HOSTILE[1])
    dataset = InvoiceResource().export(Invoice.objects.filter(pk=invoice.pk))
    _assert_neutralised(dataset, HOSTILE[:4])
    assert "100.00" in dataset[0]  # numbers stay numbers (headers are in the user's language, so by value)


@pytest.mark.django_db
def test_incident_and_followup_exports(cs_user):
    incident = open_incident(cs_user)
    Incident.objects.filter(pk=incident.pk).update(title=HOSTILE[0], root_cause=HOSTILE[1], resolution=HOSTILE[3])
    _assert_neutralised(IncidentResource().export(Incident.objects.filter(pk=incident.pk)),
                        [HOSTILE[0], HOSTILE[1], HOSTILE[3]])
    followup = followup_create(actor=cs_user, title="回电", incident=incident,
                               due_at=incident.detected_at)
    FollowUp.objects.filter(pk=followup.pk).update(title=HOSTILE[2], notes=HOSTILE[0])
    _assert_neutralised(FollowUpResource().export(FollowUp.objects.filter(pk=followup.pk)), [HOSTILE[2], HOSTILE[0]])


def test_every_export_in_the_admin_is_neutralised():
    """A new admin export cannot forget the helper: every resource class on a registered admin uses it."""
    resources = [r for model_admin in admin.site._registry.values()
                 for r in getattr(model_admin, "resource_classes", None) or []]
    assert resources, "no admin exports found"
    assert [r.__name__ for r in resources if not issubclass(r, SafeExportResource)] == []
