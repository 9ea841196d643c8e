"""Small helpers for the story: wait for the worker, read the site's data, click the real buttons.

Every wait for background work names what it waits for, polls the worker's rows through the site's probe (no
sleeping for a guessed time), allows WAIT_SECONDS (generous: the worker shares a loaded 2-core machine with the
rest of the suite), and on failure says what it last saw and the last lines of the server's and worker's log."""
import os
import time

from backoffice.demo_users import DEMO_USERS

# Pages show who did what by login name (data, like a reference number): not English words to translate.
USER_NAMES = {username for username, *_rest in DEMO_USERS}
WAIT_SECONDS = float(os.environ.get("BROWSER_WAIT_SECONDS", "300"))
POLL_SECONDS = 0.5


def py(site, code):
    """What `code` prints in the site's Django, stripped."""
    return site.run(code).strip()


RECENT_JOBS = ("from core.jobs.models import Job; "
               "print('; '.join(f'{j.pk} {j.name} {j.status} attempts={j.attempts} {j.last_error[:120]}' "
               "for j in Job.objects.order_by('-pk')[:8]))")


def _timed_out(site, what, waited, last):
    try:
        jobs = py(site, RECENT_JOBS)
    except AssertionError as exc:
        jobs = f"(could not read the jobs: {exc})"
    return AssertionError(f"waited {waited:.0f}s for {what}; last saw {last!r}\n"
                          f"--- the site's latest jobs: {jobs}\n"
                          f"--- last lines of the site's server and worker log ({site.var / 'site.log'}):\n"
                          f"{site.log_tail()}")


def wait_for(site, code, expected, *, what, timeout=WAIT_SECONDS):
    """Poll `code` (printed by the site's Django) until it prints `expected`; the worker does the work."""
    start = time.monotonic()
    while True:
        got = py(site, code)
        if got == expected:
            return got
        if time.monotonic() - start > timeout:
            raise _timed_out(site, what, time.monotonic() - start, got)
        time.sleep(POLL_SECONDS)


def wait_until(site, code, *, what, timeout=WAIT_SECONDS):
    """Poll `code` until it prints something non-empty, and return that."""
    start = time.monotonic()
    while True:
        got = py(site, code)
        if got:
            return got
        if time.monotonic() - start > timeout:
            raise _timed_out(site, what, time.monotonic() - start, got)
        time.sleep(POLL_SECONDS)


def wait_for_mail(site, text, *, what, timeout=WAIT_SECONDS):
    """The site's sent mail once it contains `text` (delivery runs on the worker), or as it is at the timeout."""
    start = time.monotonic()
    while text not in site.sent_mail() and time.monotonic() - start < timeout:
        time.sleep(POLL_SECONDS)
    return site.sent_mail()


def wait_for_mail_nudging(site, text, *, what, nudge, every=20, timeout=WAIT_SECONDS):
    """The site's sent mail once it contains `text`; every `every` seconds without it, `nudge` runs in the site's
    Django (a scheduled pass the test runs itself rather than waiting minutes for the schedule)."""
    start = time.monotonic()
    while True:
        mail = wait_for_mail(site, text, what=what, timeout=every)
        if text in mail:
            return mail
        if time.monotonic() - start > timeout:
            raise _timed_out(site, what, time.monotonic() - start, mail[-300:])
        py(site, nudge)


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
