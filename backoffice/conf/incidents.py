"""The incident desk: follow-up reminders and escalation, notices to customers and their delivery."""
import os

from .jobs import LEASE_SECONDS_DEFAULT

# Follow-up reminders go out this many business hours before the due time; overdue follow-ups are escalated
# once to the managers after this many business hours (counted on the default WorkCalendar).
INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS = float(os.environ.get("INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS", "1"))
INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS = float(os.environ.get("INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS", "2"))
# Follow-ups may be due at most this many days ahead (or behind): a due date in 9999 is a typo.
FOLLOWUP_MAX_DAYS_AHEAD = int(os.environ.get("FOLLOWUP_MAX_DAYS_AHEAD", str(3 * 366)))
# "Notify all affected customers" gives the owner this many business hours to confirm with each customer.
INCIDENTS_NOTIFY_FOLLOWUP_HOURS = float(os.environ.get("INCIDENTS_NOTIFY_FOLLOWUP_HOURS", "9"))
# Customer emails: attempts before a communication is shown as failed (retried by the incidents tick job).
INCIDENTS_EMAIL_MAX_ATTEMPTS = int(os.environ.get("INCIDENTS_EMAIL_MAX_ATTEMPTS", "3"))
# How long one email delivery attempt keeps others away (a lease: a dead worker's attempt is retried after it).
INCIDENTS_EMAIL_LEASE_SECONDS = int(os.environ.get("INCIDENTS_EMAIL_LEASE_SECONDS", LEASE_SECONDS_DEFAULT))
