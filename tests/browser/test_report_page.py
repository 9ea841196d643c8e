"""A manager generates the management report from the 管理报表 page and reads the PDF it built."""
import shutil
import subprocess

import pytest

from .story_helpers import wait_until

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="needs pdftotext: apt-get install poppler-utils")


def test_a_manager_generates_the_report_from_the_list(site, open_as, shots, tmp_path):
    page = open_as("manager")
    page.goto(site.url + "/admin/incidents/report/")
    page.get_by_role("link", name="生成报表").click()
    page.get_by_label("统计周期").select_option(label="最近 30 天")
    shots(page, "report-generate")
    page.get_by_role("button", name="生成").click()
    assert "正在生成" in page.inner_text(".messagelist")
    wait_until(site, "from incidents.models import Report; print('done' if Report.objects.filter(period='30')"
                     ".exclude(pdf_file='').exists() else '')",
               what="the incidents.build_report job writing the 30-day report")
    page.reload()
    shots(page, "report-list")
    with page.expect_download() as download:
        page.locator("#result_list a", has_text="PDF").first.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for needle in ("事件报告 30", "编制单位：", "编制日期：", "工作小时", "自然小时", "重开发票（按原因）"):
        assert needle in text, needle
