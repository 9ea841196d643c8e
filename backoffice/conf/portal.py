"""The customer portal (/portal/): who the customer is dealing with, how long its links live, how it resists
enumeration."""
import os

SERVICE_COMPANY_NAME = os.environ.get("SERVICE_COMPANY_NAME", "北京云票财务软件有限公司")
SERVICE_PHONE = os.environ.get("SERVICE_PHONE", "010-6488 1234")
PORTAL_CASE_LINK_DAYS = int(os.environ.get("PORTAL_CASE_LINK_DAYS", "90"))
PORTAL_SURVEY_LINK_DAYS = int(os.environ.get("PORTAL_SURVEY_LINK_DAYS", "30"))
# Every lookup answers after at least this long, found or not, so timing does not reveal which numbers exist.
PORTAL_LOOKUP_MIN_SECONDS = float(os.environ.get("PORTAL_LOOKUP_MIN_SECONDS", "0.3"))
# (requests, seconds) per rule; see portal/ratelimit.py. The counters live in the "default" cache (conf/caches.py).
PORTAL_RATE_LIMITS = {
    "lookup_address": (int(os.environ.get("PORTAL_LOOKUPS_PER_ADDRESS", "10")), 600),
    "lookup_number": (int(os.environ.get("PORTAL_LOOKUPS_PER_NUMBER", "5")), 600),
    "appeal_address": (5, 3600),
    "message_address": (10, 3600),
    "survey_address": (20, 3600),
}
