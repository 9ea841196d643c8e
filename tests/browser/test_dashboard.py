"""A manager opens the dashboard and clicks a chart bar through to the incidents behind it."""
import re

# Site-wide, not this page's: the header's brand name and the visually hidden column headers of Django's own
# admin sidebar ("Model name", "Add link", "Change or view list link"), which Django ships untranslated in zh_Hans.
SITE_WIDE = {"Invoice", "back", "office", "MODEL", "NAME", "ADD", "LINK", "CHANGE", "VIEW", "LIST", "Model", "name",
             "Add", "link", "Change", "view", "list"}


def _bar_point(page, chart_id):
    """Viewport coordinates of the middle of the first non-empty bar of the chart's first series, from the bar's
    own layout in ECharts (bars of two series sit side by side, not on the category's centre)."""
    return page.evaluate(
        """(id) => {
            const el = document.getElementById("chart-" + id);
            const chart = echarts.getInstanceByDom(el);
            const data = chart.getOption().series[0].data;
            const index = data.findIndex((d) => d.value > 0);
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
            const box = el.getBoundingClientRect();
            return {x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2,
                    value: data[index].value};
        }""",
        chart_id,
    )


def test_manager_clicks_a_bar_through_to_the_list(open_as, shots):
    page = open_as("manager")
    page.goto(page.url.split("/admin/")[0] + "/admin/incidents/incident/dashboard/?period=90")
    page.locator("#chart-volume canvas").first.wait_for()
    shots(page, "dashboard", extra_allowed=SITE_WIDE)
    assert page.locator(".tiles a[title]").count() >= 2  # percentages carry numerator/denominator
    page.locator("#chart-volume").scroll_into_view_if_needed()
    point = _bar_point(page, "volume")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/admin/incidents/incident/\?.*created_at__gte="))
    shots(page, "list-behind-the-bar", extra_allowed=SITE_WIDE)
    assert page.locator("#result_list tbody tr").count() == point["value"]
