"""core.pdf_fonts: the CJK font comes from PDF_CJK_FONT_PATH, Debian's fonts-wqy-zenhei, or the project's own copy
of WenQuanYi Micro Hei (so a fresh clone renders PDFs), and its absence says what to do."""
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import pdf_fonts


def test_register_returns_a_usable_font_name_once():
    from reportlab.pdfbase.pdfmetrics import getFont

    name = pdf_fonts.register_cjk_font()
    assert pdf_fonts.register_cjk_font() == name
    assert getFont(name).stringWidth("发票", 10) > 0


def test_setting_overrides_and_a_wrong_path_is_named(settings, tmp_path):
    settings.PDF_CJK_FONT_PATH = str(tmp_path / "missing.ttf")
    with pytest.raises(ImproperlyConfigured, match="missing.ttf"):
        pdf_fonts.cjk_font_path()
    font = tmp_path / "font.ttf"
    font.write_bytes(b"x")
    settings.PDF_CJK_FONT_PATH = str(font)
    assert pdf_fonts.cjk_font_path() == str(font)


def test_without_the_debian_font_the_bundled_one_is_used(settings, monkeypatch, tmp_path):
    settings.PDF_CJK_FONT_PATH = ""
    monkeypatch.setattr(pdf_fonts, "CANDIDATES", [str(tmp_path / "none.ttc")])
    assert pdf_fonts.cjk_font_path() == str(pdf_fonts.BUNDLED)


def test_the_debian_font_comes_before_the_bundled_one(settings, monkeypatch, tmp_path):
    system = tmp_path / "wqy-zenhei.ttc"
    system.write_bytes(b"x")
    settings.PDF_CJK_FONT_PATH = ""
    monkeypatch.setattr(pdf_fonts, "CANDIDATES", [str(system)])
    assert pdf_fonts.cjk_font_path() == str(system)


def test_the_bundled_font_draws_what_an_invoice_writes_and_carries_its_licence():
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont("BundledCheck", str(pdf_fonts.BUNDLED), subfontIndex=0)
    text = "电子发票（增值税专用发票）价税合计（大写）壹万贰仟叁佰肆拾伍圆整（小写）¥12,345.00 税率13% 91110106MA01ABCD2X"
    missing = [ch for ch in text if ord(ch) not in font.face.charToGlyph]
    assert missing == []
    folder = Path(pdf_fonts.BUNDLED).parent
    assert "Apache" in (folder / "wqy-microhei.COPYRIGHT").read_text()
    assert "Apache License" in (folder / "LICENSE-Apache-2.0").read_text()


def test_no_font_at_all_says_what_to_do(settings, monkeypatch, tmp_path):
    settings.PDF_CJK_FONT_PATH = ""
    monkeypatch.setattr(pdf_fonts, "CANDIDATES", [str(tmp_path / "none.ttc")])
    monkeypatch.setattr(pdf_fonts, "BUNDLED", tmp_path / "gone.ttc")
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-zenhei"):
        pdf_fonts.cjk_font_path()
