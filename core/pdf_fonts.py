"""The CJK font PDFs embed, so a rendered file shows its Chinese on any machine (never downloaded at run time).
Shared by every PDF the project draws (invoice files, reports).

Where it comes from, first found wins:
1. PDF_CJK_FONT_PATH (a .ttf/.ttc chosen by whoever runs the site);
2. Debian's fonts-wqy-zenhei, when the machine has it (the font the project used before it shipped one);
3. the project's own copy of WenQuanYi Micro Hei in core/fonts/ (Apache-2.0, from Debian's fonts-wqy-microhei;
   the licence is beside it), so a fresh clone renders PDFs with nothing installed by hand.
reportlab embeds TrueType-outline (glyf) fonts only, not CFF/OpenType ones such as Noto CJK, which is why these
three are all TrueType."""
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "CJKSans"
# Debian's fonts-wqy-zenhei (one TrueType collection, so reportlab can embed and subset it), then the places
# other distributions put the same font.
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
]
# Shipped with the project: Latin, digits, ¥ and full GB2312/GBK Chinese in one TrueType collection.
BUNDLED = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
_lock = threading.Lock()
_registered = None


def cjk_font_path():
    configured = getattr(settings, "PDF_CJK_FONT_PATH", "") or ""
    if configured:
        if not Path(configured).is_file():
            raise ImproperlyConfigured(f"PDF_CJK_FONT_PATH={configured!r} is not a file")
        return configured
    for candidate in [*CANDIDATES, str(BUNDLED)]:
        if Path(candidate).is_file():
            return candidate
    raise ImproperlyConfigured(
        f"No CJK TrueType font for PDFs: the project's own {BUNDLED} is missing (restore it from git), or install "
        "the Debian package fonts-wqy-zenhei, or set PDF_CJK_FONT_PATH to a .ttf/.ttc file."
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
