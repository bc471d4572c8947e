"""The platform in Chromium: the center head opens it, every figure is checked against the
database, a figure leads to its list and a warning to its alert's file; LCP and CLS are measured
with the browser's performance API and printed (CLS on refresh must be 0: nothing moves)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, make_bureau, make_user, screenshot
from shoulian.intake.choices import Channel
from shoulian.intake.models import Alert
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, handling, new_alert, reseed_data_migrations, routed
from shoulian.workflow.tests.test_browser import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts (injected through the DevTools protocol, so the CSP does not
# apply): collects the largest contentful paint and the layout shifts, split at the first refresh.
OBSERVE = """
window.__perf = {lcp: 0, lcpElement: "", cls: 0, clsRefresh: 0, shifted: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__perf.lcp = e.renderTime || e.startTime;
    const n = e.element;
    window.__perf.lcpElement = n ? n.nodeName + "." + (n.className || "") : "";
  }
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) { continue; }
    const refreshed = document.querySelector(".dash[data-refreshed]");
    if (refreshed) { window.__perf.clsRefresh += e.value; } else { window.__perf.cls += e.value; }
    for (const s of e.sources || []) {
      const n = s.node;
      window.__perf.shifted.push((n && (n.id || n.className || n.nodeName)) + " " + JSON.stringify(s.previousRect) + " -> " + JSON.stringify(s.currentRect));
    }
  }
}).observe({type: "layout-shift", buffered: true});
"""


PAINTS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {ttfb: nav ? nav.responseStart : 0, fcp: fcp ? fcp.startTime : 0};
}"""


def _perf(page: Any, label: str) -> dict[str, Any]:
    """LCP (with its element), the server's first byte and the first paint, CLS; printed."""
    perf: dict[str, Any] = page.evaluate("window.__perf")
    paints = page.evaluate(PAINTS)
    print(
        f"\n{label}: LCP {perf['lcp']:.0f} ms (target ≤ 1500; element {perf['lcpElement']}; "
        f"first byte {paints['ttfb']:.0f} ms, first contentful paint {paints['fcp']:.0f} ms), "
        f"CLS at load {perf['cls']:.4f}, CLS on refresh {perf['clsRefresh']:.4f}"
    )
    # What moved, if anything (empty when CLS is 0).
    print("\n".join(perf["shifted"]))
    return perf


def _fig(page: Any, path: str) -> str:
    return str(page.locator(f'[data-fig="{path}"]').first.inner_text()).strip()


def test_browser_the_center_head_reads_follows_and_acknowledges(
    page: Any, live_server: Any
) -> None:
    reseed_data_migrations()
    b = make_bureau("3501", "甲")
    clerk = make_user("desk.clerk", b.center, Role.CLERK, full_name="张欣然")
    officer = make_user("cg.officer", b.station, Role.OFFICER, full_name="陈志强")
    officer2 = make_user("cn.officer", b.station2, Role.OFFICER, full_name="林海")
    head = make_user("center.head", b.center, Role.CENTER_HEAD, full_name="郑国华")
    handling(clerk, officer)
    new_alert(clerk)
    bounced = routed(clerk, b.station)
    act(officer, bounced, Action.RETURN, reason="不属本所辖区")
    act(clerk, bounced, Action.REROUTE, unit=b.station2, reason="改派城南")
    act(officer2, bounced, Action.RETURN, reason="也不属本所辖区")

    page.add_init_script(OBSERVE)
    as_user(page, live_server, head)
    # The first request of the test server's process compiles the templates and warms its
    # caches: printed apart, then the page as a running server answers it.
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("#chart-channel canvas")).to_have_count(1)
    _perf(page, "dashboard desk 1366×900, the server process's first request")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("h1")).to_contain_text("接处警一屏式监督平台")
    expect(page.locator("#chart-channel canvas")).to_have_count(1)

    # Every figure against the database (the alerts themselves, not the rollups).
    assert _fig(page, "totals.today") == str(Alert.objects.count())
    channels = list(Channel.values)
    by_channel = dict(Alert.objects.values_list("channel").annotate(n=Count("pk")))
    for i, channel in enumerate(channels):
        assert _fig(page, f"by_channel.{i}.today") == str(by_channel.get(channel, 0)), channel
    by_unit = {
        u: n
        for u, n in Alert.objects.values_list("handling_unit__name").annotate(n=Count("pk"))
        if u
    }
    by_unit[b.center.name] = Alert.objects.filter(handling_unit__isnull=True).count()
    rows = page.locator("#unit-title + table tbody tr")
    for k in range(rows.count()):
        label = rows.nth(k).locator("th").inner_text().strip()
        assert rows.nth(k).locator("td").first.inner_text().strip() == str(by_unit.get(label, 0)), (
            label
        )
    statuses = dict(Alert.objects.values_list("status").annotate(n=Count("pk")))
    assert _fig(page, "nodes.1.n") == str(
        sum(statuses.get(s, 0) for s in ("registered", "routed", "returned", "disputed"))
    )
    assert _fig(page, "nodes.2.n") == str(sum(statuses.get(s, 0) for s in ("signed", "handling")))
    expect(page.locator(".dash-feed")).to_contain_text(bounced.number)

    # A refresh (every 5 s) moves nothing.
    page.wait_for_selector(".dash[data-refreshed]", timeout=15000)
    page.wait_for_timeout(500)
    perf = _perf(page, "dashboard desk 1366×900")
    assert perf["clsRefresh"] == 0
    assert_accessible(page)
    screenshot(page, "dashboard-desk")

    # A figure opens its list: the same number of rows.
    walk_in = page.locator('[data-fig="by_channel.0.today"]')
    expected = int(walk_in.inner_text())
    walk_in.click()
    page.wait_for_url("**/intake/?**")
    expect(page.locator("tbody tr code")).to_have_count(expected)

    # A warning opens its alert's file, and it can be acknowledged.
    page.goto(f"{live_server.url}/dashboard/")
    page.locator(".dash-feed").get_by_role("link", name=bounced.number).click()
    page.wait_for_url(f"**/workflow/file/{bounced.pk}/")
    page.goto(f"{live_server.url}/dashboard/")
    page.locator(".dash-feed").get_by_role("button", name="确认").first.click()
    expect(page.locator(".dash-feed")).to_contain_text("暂无待确认的风险预警")

    # Wall mode: no scrolling at 1920×1080 nor at 1366×768.
    for width, height in ((1920, 1080), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/dashboard/wall/")
        expect(page.locator("#chart-nodes canvas")).to_have_count(1)
        overflow = page.evaluate(
            "[document.documentElement.scrollHeight - innerHeight,"
            " document.documentElement.scrollWidth - innerWidth]"
        )
        assert overflow == [0, 0], (width, height, overflow)
    assert_accessible(page)

    # A wall screen with a display link: a browser with no staff session opens the one-time link,
    # confirms, and shows the wall (figures from the first paint, no link anywhere).
    from shoulian.dashboard.services import display_link_issue

    _link, token = display_link_issue(actor=head, name="指挥大厅左屏", unit=None, days=30)
    screen = page.context.browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = screen.new_page()
    wall.add_init_script(OBSERVE)
    wall.goto(f"{live_server.url}/display/open/{token}/")
    wall.get_by_role("button", name="在此屏幕启用").click()
    wall.wait_for_url("**/display/")
    expect(wall.locator("#chart-nodes canvas")).to_have_count(1)
    assert _fig(wall, "totals.today") == str(Alert.objects.count())
    assert wall.locator("main a[href]").count() == 0
    assert wall.locator(".dash-feed form").count() == 0
    wall.wait_for_selector(".dash[data-refreshed]", timeout=15000)
    wall.wait_for_timeout(500)
    perf = _perf(wall, "display wall 1920×1080")
    assert perf["clsRefresh"] == 0
    assert_accessible(wall)
    screenshot(wall, "dashboard-display-wall")
    screen.close()
