"""The customer portal (/portal/): who the customer is dealing with, how long its links live, how it resists
enumeration."""
import os

SERVICE_COMPANY_NAME = os.environ.get("SERVICE_COMPANY_NAME", "北京云票财务软件有限公司")
SERVICE_PHONE = os.environ.get("SERVICE_PHONE", "010-6488 1234")
PORTAL_CASE_LINK_DAYS = int(os.environ.get("PORTAL_CASE_LINK_DAYS", "90"))
PORTAL_SURVEY_LINK_DAYS = int(os.environ.get("PORTAL_SURVEY_LINK_DAYS", "30"))
# (requests, seconds) per rule; see portal/ratelimit.py. The counters live in the "default" cache (conf/caches.py),
# which production shares between processes (Redis, or the database).
PORTAL_RATE_LIMITS = {
    "lookup_address": (int(os.environ.get("PORTAL_LOOKUPS_PER_ADDRESS", "10")), 600),
    "lookup_address_number": (int(os.environ.get("PORTAL_WRONG_LOOKUPS_PER_ADDRESS_AND_NUMBER", "5")), 600),
    "lookup_number": (int(os.environ.get("PORTAL_WRONG_LOOKUPS_PER_NUMBER", "20")), 600),
    "appeal_address": (5, 3600),
    "message_address": (10, 3600),
    "survey_address": (20, 3600),
}
