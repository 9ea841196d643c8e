"""Reconciliation runs: how a platform export is read and compared in parts, and when a run looks like the wrong
file. A run proposes, a person applies (docs/reconciliation-apply.md)."""
import os

from .environment import env_bool

# A run proceeds in chunks of this many rows, one django-q2 task each, so every task stays well under
# Q_CLUSTER["timeout"] (a chunk takes seconds on PostgreSQL); see invoices/reconciliation/pipeline/runner.py.
RECONCILIATION_CHUNK_ROWS = int(os.environ.get("RECONCILIATION_CHUNK_ROWS", "200000"))
# A reconciliation chunk that dies (timeout, killed worker) is tried this many times, then the run fails.
RECONCILIATION_CHUNK_MAX_ATTEMPTS = int(os.environ.get("RECONCILIATION_CHUNK_MAX_ATTEMPTS", "3"))
# The comparison joins the export with the ledger one part at a time (one task each), each part holding up to
# this many rows of either side: a hash join costs far less per row than loading one (a 1,000,000-row part takes
# a few seconds here). A run with more is split into parts and first copies the period's ledger into parts of
# its own (one more pass over the period's invoices).
RECONCILIATION_PART_ROWS = int(os.environ.get("RECONCILIATION_PART_ROWS", "2000000"))
# PostgreSQL: CSV chunks go to COPY as bytes when PostgreSQL's CSV parser reads them exactly as Python's csv
# module would (invoices/reconciliation/pipeline/load_block.py); off = every row through the csv module.
RECONCILIATION_COPY_BLOCKS = env_bool("RECONCILIATION_COPY_BLOCKS", True)
# A finished run is "probably the wrong file" (applying it needs a confirmation and a reason) when more than this
# share of its rows name another seller, or when it matches under WRONG_FILE_MATCH_RATE of its rows although the
# seller's last RECENT_RUNS runs matched at least RECENT_MATCH_RATE.
RECONCILIATION_FOREIGN_SHARE = float(os.environ.get("RECONCILIATION_FOREIGN_SHARE", "0.5"))
RECONCILIATION_WRONG_FILE_MATCH_RATE = float(os.environ.get("RECONCILIATION_WRONG_FILE_MATCH_RATE", "0.5"))
RECONCILIATION_RECENT_MATCH_RATE = float(os.environ.get("RECONCILIATION_RECENT_MATCH_RATE", "0.95"))
RECONCILIATION_RECENT_RUNS = int(os.environ.get("RECONCILIATION_RECENT_RUNS", "5"))

# Platform checks (invoices/reconciliation/services/platform_check.py): the listing is read this many rows a page (the
# platform allows at most 1,000); the schedule checks every seller's last HOURLY_DAYS days each hour and the last
# NIGHTLY_DAYS days each night.
PLATFORM_CHECK_PAGE_SIZE = int(os.environ.get("PLATFORM_CHECK_PAGE_SIZE", "1000"))
PLATFORM_CHECK_HOURLY_DAYS = int(os.environ.get("PLATFORM_CHECK_HOURLY_DAYS", "3"))
PLATFORM_CHECK_NIGHTLY_DAYS = int(os.environ.get("PLATFORM_CHECK_NIGHTLY_DAYS", "35"))
