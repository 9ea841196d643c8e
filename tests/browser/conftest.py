"""Fixtures of the real-browser suite: Debian's Chromium driven by Playwright against a live site.

The suite runs when Chromium is installed (`apt-get install chromium fonts-noto-cjk`, which .ci/run does) and is
skipped with one line otherwise. Set CHROMIUM_PATH to use another binary."""
import os
import shutil
from pathlib import Path

import pytest

from backoffice.demo_users import DEMO_PASSWORD

from .screen import Shots
from .site import start_site

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SKIP_REASON = f"browser suite skipped: no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


# The 3,000-row import queues 3,000 uploads on the site's one worker: it runs last, so the walks that wait for the
# worker (the story's verify, the reissues) are not queued behind them.
RUN_LAST = ("test_imports.py",)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: "/browser/" in str(item.path) and item.path.name in RUN_LAST)
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            # One xdist worker runs the whole suite (`--dist loadgroup`), so the live site starts once.
            item.add_marker(pytest.mark.xdist_group("browser"))
            _join_xdist_group(config, item, "browser")
            if not HAVE_CHROMIUM:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def _join_xdist_group(config, item, group):
    """What pytest-xdist does for an xdist_group mark: `--dist loadgroup` sends every test whose id ends in
    `@<group>` to one worker. xdist 3.8 writes `item._nodeid`, which pytest 9.2 no longer reads (the id is
    `item._id`), so the mark alone leaves the browser suite spread over workers, each starting a site."""
    if not config.getoption("loadgroup", False) or item.nodeid.endswith(f"@{group}"):
        return
    grouped = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(grouped)
    else:
        item._nodeid = grouped


def pytest_terminal_summary(terminalreporter):
    if not HAVE_CHROMIUM:
        terminalreporter.write_line(SKIP_REASON)


# Package scope: the site and Chromium start once for the suite and stop as soon as its last test is done. Under
# pytest-xdist the suite runs first on its worker; Playwright's event loop must be gone before that worker's next
# Django test (the ORM refuses to run beside a running loop).
@pytest.fixture(scope="package")
def site(tmp_path_factory):
    site = start_site(tmp_path_factory.mktemp("browser-site"))
    yield site
    site.stop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def shots(request):
    return Shots(request.module.__name__.rsplit(".", 1)[-1], request.node.name)


@pytest.fixture
def open_as(site, browser):
    """open_as("cs") -> a logged-in page of a new browser (Chinese, 1440 px unless told otherwise)."""
    contexts = []

    def _open(username, *, viewport=DESKTOP, locale="zh-CN"):
        context = browser.new_context(locale=locale, viewport=viewport, timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(site.url + "/admin/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "/admin/login/" not in page.url, f"{username} could not log in"
        return page

    yield _open
    for context in contexts:
        context.close()
