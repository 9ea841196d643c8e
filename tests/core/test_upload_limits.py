"""Bounded uploads: decompression bombs, damaged workbooks and oversized CSV records are refused in the request
(400 naming the limit, within a second, nothing queued), before any parser walks them."""
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from bench.scale.upload_bombs import damaged_sheet_workbook, honest_workbook, shared_strings_bomb, sheet_bomb
from invoices.reconciliation.models import ReconciliationRun

from ..recon_helpers import PERIOD

pytestmark = pytest.mark.django_db
HEADER = "序号,发票代码,发票号码,数电发票号码,销方识别号,购方识别号,购买方名称,开票日期,金额,税额,价税合计,发票票种,发票状态,备注"



@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

@pytest.fixture(scope="module")
def bomb_files():
    return {"sheet": sheet_bomb(), "shared": shared_strings_bomb()}


def post(api_as, user, seller, content, name):
    client = api_as(user)
    started = time.monotonic()
    response = client.post("/api/v1/reconciliations/", {
        "file": SimpleUploadedFile(name, content), "seller": seller.pk,
        "period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat(),
    }, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    return response, time.monotonic() - started


def refused(response, elapsed, rule):
    assert response.status_code == 400, response.content[:500]
    message = " ".join(response.json()["file"])
    assert rule in message, message
    assert elapsed < 1.0, elapsed
    assert not ReconciliationRun.objects.exists()
    return message


def test_sheet_bomb_is_refused_from_the_zip_directory(api_as, finance_user, seller, bomb_files):
    assert len(bomb_files["sheet"]) < 2_000_000
    response, elapsed = post(api_as, finance_user, seller, bomb_files["sheet"], "bomb.xlsx")
    refused(response, elapsed, "xlsx_max_member_bytes")


def test_shared_strings_bomb_is_refused_by_its_ratio(api_as, finance_user, seller, bomb_files):
    assert len(bomb_files["shared"]) < 300_000
    response, elapsed = post(api_as, finance_user, seller, bomb_files["shared"], "strings.xlsx")
    refused(response, elapsed, "xlsx_max_ratio")


@override_settings(UPLOAD_LIMITS={"xlsx_max_member_bytes": 2 << 30, "xlsx_max_total_bytes": 2 << 30,
                                  "xlsx_max_ratio": 10_000})
def test_with_the_zip_limits_lifted_the_header_is_still_looked_for_in_bounded_rows(bomb_files, seller):
    import io

    from django.core.exceptions import ValidationError

    from core.upload_limits import xlsx_header

    started = time.monotonic()
    with pytest.raises(ValidationError) as exc:
        xlsx_header(io.BytesIO(bomb_files["sheet"]), "发票基础信息")
    assert time.monotonic() - started < 1.0
    assert "header_max_rows" in str(exc.value) or "header_max_bytes" in str(exc.value)


def test_shared_strings_are_read_only_as_far_as_the_header_needs(bomb_files):
    import io

    from core.upload_limits import xlsx_header

    with override_settings(UPLOAD_LIMITS={"xlsx_max_ratio": 10_000}):
        started = time.monotonic()
        row, header = xlsx_header(io.BytesIO(bomb_files["shared"]), "发票基础信息")
    assert (row, header) == (1, ["A" * 1000]) and time.monotonic() - started < 1.0


def test_damaged_sheet_xml_is_refused_at_upload(api_as, finance_user, seller):
    response, elapsed = post(api_as, finance_user, seller, damaged_sheet_workbook(), "damaged.xlsx")
    assert "sheet1.xml" in refused(response, elapsed, "damaged")


def test_a_broken_zip_is_refused_at_upload(api_as, finance_user, seller):
    content = honest_workbook()[:-30]  # the central directory's end cut off
    response, elapsed = post(api_as, finance_user, seller, content, "cut.xlsx")
    refused(response, elapsed, "not a readable XLSX")


def test_an_honest_workbook_is_accepted(api_as, finance_user, seller):
    response, _elapsed = post(api_as, finance_user, seller, honest_workbook(), "ok.xlsx")
    assert response.status_code == 202, response.content[:500]


@pytest.mark.parametrize("content, rule", [
    (HEADER + ",x" * 200 + "\n", "max_columns"),
    (",".join(["c"] * 1_000_000) + "\n", "csv_max_line_bytes"),
    (HEADER + "\n1,,\"" + "x" * 20_000 + "\"\n", "csv_max_field_chars"),
    (HEADER + "\n" + "y" * 70_000 + "\n", "csv_max_line_bytes"),
], ids=["columns", "million-columns", "field", "line"])
def test_csv_over_a_limit_is_refused_at_upload(api_as, finance_user, seller, content, rule):
    response, elapsed = post(api_as, finance_user, seller, content.encode(), "export.csv")
    refused(response, elapsed, rule)


@override_settings(UPLOAD_LIMITS={"csv_max_bytes": 1000})
def test_csv_size_limit(api_as, finance_user, seller):
    response, elapsed = post(api_as, finance_user, seller, (HEADER + "\n" + "1,2\n" * 500).encode(), "big.csv")
    refused(response, elapsed, "csv_max_bytes")


def test_header_must_come_within_the_first_rows(api_as, finance_user, seller):
    response, elapsed = post(api_as, finance_user, seller, ("\n" * 60 + HEADER + "\n").encode(), "late.csv")
    refused(response, elapsed, "header_max_rows")


def test_a_quoted_field_spanning_lines_fails_the_run_with_its_reason(finance_user, seller, django_capture_on_commit_callbacks):
    from invoices.reconciliation.models import RunStatus
    from invoices.reconciliation.services.runs import reconciliation_start

    lines = "\n".join(["x" * 1000] * 30)  # each line short, the field 30 kB
    content = (HEADER + "\n1,,\"" + lines + "\"\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                   file=SimpleUploadedFile("multi.csv", content))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "csv_max_field_chars" in run.error


def test_admin_import_refuses_a_bomb_as_a_form_error(client, finance_user):
    import io

    from django.urls import reverse

    file = io.BytesIO(shared_strings_bomb())
    file.name = "customers.xlsx"
    client.force_login(finance_user)
    started = time.monotonic()
    response = client.post(reverse("admin:invoices_customer_import"), {"import_file": file, "format": 1,
                                                                       "resource": 0}, HTTP_ACCEPT_LANGUAGE="en")
    assert time.monotonic() - started < 1.0
    assert response.status_code == 200
    assert "xlsx_max_ratio" in " ".join(response.context["form"].errors["import_file"])


def test_admin_reconciliation_upload_refuses_a_bomb_as_a_form_error(client, finance_user, seller, bomb_files):
    from django.urls import reverse

    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_reconciliationrun_add"), {
        "file": SimpleUploadedFile("bomb.xlsx", bomb_files["sheet"]), "seller": seller.pk,
        "period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "xlsx_max_member_bytes" in " ".join(response.context["form"].errors["file"])
    assert not ReconciliationRun.objects.exists()


def test_a_part_that_lies_about_its_size_is_refused_without_unpacking_it(api_as, finance_user, seller):
    from bench.scale.upload_bombs import SHEET_HEAD, _deflated, workbook

    data, crc, _real_size = _deflated(SHEET_HEAD, b"<row/>" * (1 << 16), 1500, b"</sheetData></worksheet>")
    response, elapsed = post(api_as, finance_user, seller, workbook((data, crc, 4096)), "liar.xlsx")
    refused(response, elapsed, "damaged")


def test_an_encrypted_or_unsupported_part_is_refused_not_a_500(api_as, finance_user, seller):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    content = bytearray(buffer.getvalue())
    # Compression method 99 (AES, as WinZip writes it) in both headers: Python's zip reader cannot open it.
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = content.find(signature)
        content[at + offset:at + offset + 2] = (99).to_bytes(2, "little")
    response, elapsed = post(api_as, finance_user, seller, bytes(content), "aes.xlsx")
    refused(response, elapsed, "damaged")
