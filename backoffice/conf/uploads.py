"""Uploaded files and imports: where uploads are kept, the limits checked before anything parses one, and how
customer and invoice imports run."""
import json
import os
from pathlib import Path

from .environment import VAR_DIR

# Uploaded platform exports are kept with their reconciliation run.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Checked before anything parses an upload (core/upload_limits.py; every key and its default in DEFAULTS there):
# an XLSX's zip members (count, unpacked size each and in all, compression ratio), a CSV's size, line length,
# field size and column count, and how far into a sheet the header may be. UPLOAD_LIMITS_JSON overrides keys.
UPLOAD_LIMITS = json.loads(os.environ.get("UPLOAD_LIMITS_JSON", "{}"))
# Imports: one bad row rolls back the whole file (the admin also passes rollback_on_validation_errors).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Files of more rows than this are checked and imported by a task with a progress page (invoices/ledger/imports/);
# 0 (the default): every file, a small one too, gets that page's counted preview with the reasons rows are refused
# or skipped, never the stock per-row preview. IMPORT_MAX_ROWS keeps one pass inside the task timeout
# (docs/imports.md has the measurement).
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "0"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "30000"))
# A background pass reads and imports its file this many rows at a time, so a worker holds one chunk, not the file.
IMPORT_CHUNK_ROWS = int(os.environ.get("IMPORT_CHUNK_ROWS", "1000"))
