"""core.pdf_fonts: the CJK font comes from a Debian package or PDF_CJK_FONT_PATH, and its absence says which
package to install."""
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


def test_no_font_names_the_debian_package(settings, monkeypatch, tmp_path):
    settings.PDF_CJK_FONT_PATH = ""
    monkeypatch.setattr(pdf_fonts, "CANDIDATES", [str(tmp_path / "none.ttc")])
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-zenhei"):
        pdf_fonts.cjk_font_path()
