"""Small helpers for the story: wait for the worker, read the site's data, click the real buttons."""
import time

from backoffice.demo_users import DEMO_USERS

# Pages show who did what by login name (data, like a reference number): not English words to translate.
USER_NAMES = {username for username, *_rest in DEMO_USERS}


def py(site, code):
    """What `code` prints in the site's Django; --no-imports keeps Django 5.2's shell from announcing its
    automatic imports on stdout."""
    return site.manage("shell", "--no-imports", "-c", code).strip()


def wait_for(site, code, expected, timeout=90):
    """Poll `code` (printed by the site's Django) until it prints `expected`; the worker does the work."""
    deadline = time.monotonic() + timeout
    while True:
        got = py(site, code)
        if got == expected:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {expected!r}, last saw {got!r}")
        time.sleep(1)


def invoice_number(site, remarks):
    return py(site, f"from invoices.ledger.models import Invoice; print(Invoice.objects.get(remarks={remarks!r}).number)")


def submit(page, selector="input[type=submit].default, input[name=_save]"):
    page.locator(selector).first.click()
    page.wait_for_load_state()


def option_value(page, select, *texts):
    """The value of the first option of `select` whose label holds every one of `texts`."""
    options = page.locator(f"{select} option")
    for text in texts:
        options = options.filter(has_text=text)
    return options.first.get_attribute("value")


def wait_until(site, code, timeout=90):
    """Poll `code` until it prints something non-empty, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        got = py(site, code)
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {code!r}")
        time.sleep(1)


def wait_for_mail(site, text, timeout=60):
    """The site's sent mail once it contains `text` (delivery runs on the worker), or as it is at the timeout."""
    deadline = time.monotonic() + timeout
    while text not in site.sent_mail() and time.monotonic() < deadline:
        time.sleep(1)
    return site.sent_mail()
