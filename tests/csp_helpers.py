"""What a page must not hold to work under script-src 'self': inline scripts and on* handler attributes."""
import re

_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def inline_script_problems(html):
    problems = []
    for attrs, body in _SCRIPT_TAG.findall(html):
        executable = "application/json" not in attrs.lower()
        if "src=" not in attrs.lower() and body.strip() and executable:
            problems.append("inline <script>: " + body.strip()[:80])
    problems += ["handler attribute: " + m.group(0)[:80] for m in _HANDLER.finditer(html)]
    problems += ["javascript: URL: " + m.group(0)[:80] for m in _JS_URL.finditer(html)]
    return problems


ADMIN_PAGES = [
    "/admin/", "/admin/invoices/invoice/", "/admin/invoices/invoice/add/", "/admin/invoices/customer/add/",
    "/admin/incidents/incident/", "/admin/incidents/incident/add/", "/admin/incidents/communication/",
    "/admin/incidents/followup/add/", "/admin/invoices/reconciliationrun/", "/admin/auth/user/",
    "/api/docs/", "/api/redoc/",
]
