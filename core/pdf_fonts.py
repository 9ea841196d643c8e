"""The CJK font every PDF of the project embeds (reportlab cannot draw Chinese with its built-in fonts).

WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei is a TrueType collection; reportlab embeds the subset of
glyphs a document uses. PDF_CJK_FONT_PATH points elsewhere (another TrueType font) when needed."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "CJK"


def register_cjk_font() -> str:
    """Register the font with reportlab once per process and return its name for styles and canvases."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = getattr(settings, "PDF_CJK_FONT_PATH", "") or DEFAULT_PATH
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=0) if path.lower().endswith(".ttc") else TTFont(FONT_NAME, path)
    except (OSError, TTFError) as exc:
        raise ImproperlyConfigured(
            f"PDF_CJK_FONT_PATH={path!r}: not a readable TrueType font ({exc}); install fonts-wqy-zenhei "
            "or point the setting at a TrueType font with Chinese glyphs."
        ) from exc
    pdfmetrics.registerFont(font)
    return FONT_NAME
