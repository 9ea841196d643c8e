"""Finance finds the platform check's incident on their home page and the checks list with its 立即核对 button; the
manager's dashboard shows the share of invoice incidents a check found before the customer called."""
from .test_dashboard import SITE_WIDE


def test_finance_sees_the_checks_incident_and_the_checks_list(site, open_as, shots):
    page = open_as("finance")
    assert page.get_by_text("平台核对", exact=False).count() >= 1  # the check's incident on finance's home
    shots(page, "home-finance-platform-check", extra_allowed=SITE_WIDE)
    page.goto(site.url + "/admin/invoices/platformcheck/")
    assert page.get_by_role("link", name="立即核对").count() == 1
    # The demo's two checks, and any the hourly schedule has run since the site started.
    assert page.locator("#result_list tbody tr").count() >= 2
    shots(page, "platform-checks", extra_allowed=SITE_WIDE)
    found = site.python("from invoices.reconciliation.models import PlatformCheck;"
                        "print(PlatformCheck.objects.exclude(incident_number='').order_by('id').first().pk)").strip()
    page.goto(f"{site.url}/admin/invoices/platformcheck/{found}/change/")
    assert page.get_by_text("已标记缺失并重新上传").count() == 2
    shots(page, "platform-check", extra_allowed=SITE_WIDE)


def test_the_dashboard_shows_the_share_found_before_the_customer(open_as, shots):
    page = open_as("manager")
    page.goto(page.url.split("/admin/")[0] + "/admin/incidents/incident/dashboard/?period=30")
    tile = page.locator(".tiles a", has_text="平台核对在客户来电前发现的发票事件")
    assert tile.count() == 1 and "%" in tile.inner_text()
    shots(page, "dashboard-found-by-check", extra_allowed=SITE_WIDE)
