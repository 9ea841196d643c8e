"""Invoice files: PDF/OFD/XML come from the tax platform and are kept in the default storage (STORAGES["default"],
conf/static.py, so a deployment can point it at S3-compatible storage)."""
import os

# Customers' download links are valid this many days.
INVOICE_FILE_LINK_DAYS = int(os.environ.get("INVOICE_FILE_LINK_DAYS", "30"))
# Selections up to this many invoices are zipped while the browser waits; more go to a task with a progress page.
INVOICE_FILES_ZIP_INLINE_MAX = int(os.environ.get("INVOICE_FILES_ZIP_INLINE_MAX", "200"))
# A .ttf/.ttc with Chinese glyphs for PDFs (invoices rendered here, and the reports); empty = Debian's
# fonts-wqy-zenhei, else the project's own WenQuanYi Micro Hei (core/pdf_fonts.py).
PDF_CJK_FONT_PATH = os.environ.get("PDF_CJK_FONT_PATH", "")
