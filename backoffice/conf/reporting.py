"""What staff are shown about the work: the home pages (工作台). The dashboard and the periodic reports have no
settings of their own (their schedules are django-q2 rows, incidents/schedules.py)."""
import os

# An invoice still pending this long after it was issued shows on finance's home page as "待同步超时".
HOME_PENDING_TOO_LONG_MINUTES = int(os.environ.get("HOME_PENDING_TOO_LONG_MINUTES", "60"))
# How often the home page and the incident desk ask whether what they show changed behind them (seconds).
HOME_POLL_SECONDS = int(os.environ.get("HOME_POLL_SECONDS", "15"))
