"""The CJK font PDFs embed, taken from a Debian package so a rendered file shows its Chinese on any machine
(never downloaded at run time). Shared by every PDF the project draws (invoice files, reports)."""
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "CJKSans"
# Debian's fonts-wqy-zenhei first (one TrueType collection, so reportlab can embed and subset it), then the
# places other distributions put the same font.
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
]
_lock = threading.Lock()
_registered = None


def cjk_font_path():
    configured = getattr(settings, "PDF_CJK_FONT_PATH", "") or ""
    if configured:
        if not Path(configured).is_file():
            raise ImproperlyConfigured(f"PDF_CJK_FONT_PATH={configured!r} is not a file")
        return configured
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise ImproperlyConfigured(
        "No CJK TrueType font for PDFs: install the Debian package fonts-wqy-zenhei "
        "(apt-get install fonts-wqy-zenhei) or set PDF_CJK_FONT_PATH to a .ttf/.ttc file."
    )


def register_cjk_font() -> str:
    """Register the CJK font with reportlab once per process and return its name for setFont()."""
    global _registered
    if _registered:
        return _registered
    with _lock:
        if not _registered:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            path = cjk_font_path()
            font = TTFont(FONT_NAME, path, subfontIndex=0) if path.lower().endswith(".ttc") else TTFont(FONT_NAME, path)
            pdfmetrics.registerFont(font)
            _registered = FONT_NAME
    return _registered
