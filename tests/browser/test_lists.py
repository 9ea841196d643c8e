"""Work lists that fit: an incident or follow-up row takes one or two lines at 1440 px; on a phone (390 px) the
incident list still shows reference/title, status, SLA and owner, the follow-up list title, status, due, assignee."""
import pytest

from .conftest import PHONE
from .story_helpers import USER_NAMES

LISTS = {
    "incident": ("/admin/incidents/incident/", ["reference", "title", "status", "sla_state", "owner_name"]),
    "followup": ("/admin/incidents/followup/?assignee=all", ["title", "status", "due_state", "assignee_name"]),
}


def row_lines(page):
    """The tallest result row, in lines of the list's text."""
    return page.evaluate("""() => {
        const rows = [...document.querySelectorAll('#result_list tbody tr')];
        const line = parseFloat(getComputedStyle(document.querySelector('#result_list td')).lineHeight) || 16;
        return Math.max(...rows.map(r => r.getBoundingClientRect().height)) / line;
    }""")


@pytest.mark.parametrize("name", LISTS)
def test_rows_fit_two_lines_at_1440(open_as, shots, site, name):
    page = open_as("manager")
    page.goto(site.url + LISTS[name][0])
    shots(page, f"{name}-list-1440", extra_allowed=USER_NAMES)
    assert page.locator("#result_list tbody tr").count() > 0
    assert row_lines(page) <= 4.2  # at most two lines of text plus the cell padding (one line measures 3.1)


@pytest.mark.parametrize("name", LISTS)
def test_phone_shows_the_columns_that_matter(open_as, shots, site, name):
    page = open_as("manager", viewport=PHONE)
    page.goto(site.url + LISTS[name][0])
    shots(page, f"{name}-list-390", extra_allowed=USER_NAMES)
    for column in LISTS[name][1]:
        cell = page.locator(f"#result_list tbody tr:first-child .field-{column}")
        assert cell.count() == 1 and cell.is_visible(), column
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"] + 1, f"{column} is off the screen"
