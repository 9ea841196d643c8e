"""What a person sees: screenshots per step, and a check that a Chinese page speaks Chinese."""
import re
from pathlib import Path

from .site import ROOT

SCREENSHOTS = ROOT / "var" / "screenshots"

# Proper names, units and abbreviations a Beijing service desk writes in Latin letters.
ALLOWED_WORDS = {
    "API", "PDF", "OFD", "XML", "CSV", "XLSX", "XLS", "JSON", "SLA", "INC", "REQ", "ID", "URL", "TSV", "ZIP",
    "English", "Django", "ECharts", "MTTR", "MTTD", "CSAT", "VAT", "Email", "email", "QQ",
    # The demo's login names, shown where a page names who acted.
    "cs", "finance", "manager", "admin",
}
# Things on a page that are data, not words: e-mail addresses, web addresses, references, user names.
DATA_PATTERNS = [
    r"[\w.+-]+@[\w.-]+", r"https?://\S+", r"\b[A-Z]{2,5}-[\w-]+\b", r"\b\w*\d\w*\b",
    r"\b[\w-]+\.py\b",  # a command named on the page (manage.py load_calendar)
]
WORD = re.compile(r"\b[A-Za-z][A-Za-z']{2,}\b")


def english_words(text, extra_allowed=()):
    """Latin-letter words in `text` that are neither proper names nor data."""
    for pattern in DATA_PATTERNS:
        text = re.sub(pattern, " ", text)
    allowed = ALLOWED_WORDS | set(extra_allowed)
    return sorted({w for w in WORD.findall(text) if w not in allowed})


def assert_chinese(page, extra_allowed=()):
    """Fail on any untranslated English word in the visible text of a Chinese page."""
    text = page.evaluate("() => document.body.innerText")
    words = english_words(text, extra_allowed)
    assert not words, f"English on the Chinese page {page.url}: {words}"


class Shots:
    """One numbered screenshot per step of a test, under var/screenshots/<module>/<test>/."""

    def __init__(self, module, test):
        self.folder = SCREENSHOTS / module / test
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, step, *, check_language=True, extra_allowed=()):
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if check_language:
            assert_chinese(page, extra_allowed)
        return Path(path)
