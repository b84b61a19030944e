"""Workspace charts: overlay of the selected runs, hover, zoom re-querying the server, x-axis, EMA, log scale."""

from __future__ import annotations

from .looks import canvas_digest, drawn, panel, workspace

HOSTILE = "<img src=x onerror=alert(1)>"


def _both(site):
    return [site["seed"][1], site["runs"][HOSTILE][1]]


def test_charts_grouped_by_prefix_with_key_search(page, site, shot):
    page.goto(workspace(site, runs=_both(site)))
    page.locator('.section[data-section="Charts"]').wait_for()
    names = page.locator(".section").evaluate_all("ss => ss.map(s => s.dataset.section)")
    assert names[0] == "Charts" and {"train", "eval"} <= set(names)
    assert page.locator('.section[data-section="train"] .panel[data-key="train/lr"]').count() == 1
    panel(page, "loss").locator(".chart[data-painted='1']").wait_for()
    shot(page, "workspace", full_page=False)
    page.locator("input.key-search").fill("eval/")
    page.wait_for_function("() => document.querySelectorAll('.section').length === 1")
    assert page.locator(".panel").evaluate_all("ps => ps.map(p => p.dataset.key)") == ["eval/score"]
    assert "q=eval%2F" in page.url or "q=eval/" in page.url


def test_overlay_hover_lists_every_run_and_the_line_keeps_the_spike(page, site, shot):
    page.goto(workspace(site, "loss", _both(site)))
    p = panel(page, "loss")
    chart = p.locator(".chart[data-painted='1']")
    chart.wait_for()
    assert drawn(chart)
    assert sorted(p.locator(".legend-item").all_inner_texts()) == sorted([HOSTILE, site["seed"][1]])
    over = p.locator(".u-over")
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.12, box["y"] + box["height"] / 2)
    tip = p.locator(".tooltip")
    tip.wait_for(state="visible")
    rows = tip.locator(".tip-name").all_inner_texts()
    assert sorted(rows) == sorted([HOSTILE, site["seed"][1]])  # both runs have a value near step 35
    shot(p, "chart-hover")
    # the one-step spike at step 150 of the second run (3.0 over ~0.17) is a point of the drawn line
    chart_el = p.locator(".chart")
    assert chart_el.get_attribute("data-xmax") == "299"
    assert float(chart_el.get_attribute("data-ymax")) > 3.0


def test_drag_zoom_requeries_the_range_and_double_click_resets(page, site):
    page.goto(workspace(site, "loss", _both(site)))
    p = panel(page, "loss")
    p.locator(".chart[data-painted='1']").wait_for()
    box = p.locator(".u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    with page.expect_request(lambda r: "/history/sampled" in r.url and "x_min=" in r.url) as req:
        page.mouse.move(box["x"] + box["width"] * 0.4, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
        page.mouse.up()
    assert "keys=loss" in req.value.url
    assert "zoom=" in page.url
    lo, hi = (float(v) for v in page.url.split("zoom=")[1].split("&")[0].replace("%2C", ",").split(","))
    assert 100 < lo < hi < 200
    page.locator("button.reset-zoom").wait_for()
    p.locator(".chart[data-painted='1']").wait_for()
    box = p.locator(".u-over").bounding_box()  # the toolbar grew a button: the chart may have moved
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => !location.search.includes('zoom=')")


def test_x_axis_smoothing_and_log_scale(page, site):
    page.goto(workspace(site, "acc", _both(site)))
    p = panel(page, "acc")
    p.locator(".chart[data-painted='1']").wait_for()
    sel = '.panel[data-key="acc"] .chart canvas'
    before = canvas_digest(page, sel)
    with page.expect_request(lambda r: "/history/sampled" in r.url and "x_axis=epoch" in r.url):
        page.locator("select.x-axis").select_option("epoch")
    page.wait_for_function("""() => { const c = document.querySelector('.panel[data-key="acc"] .chart');
        return c && c.dataset.xmax === '4'; }""")  # the second run's epochs go 0..4
    page.locator("select.x-axis").select_option("_step")
    page.wait_for_function("""() => document.querySelector('.panel[data-key="acc"] .chart').dataset.xmax === '299'""")
    page.wait_for_timeout(200)
    page.locator("input.smooth").fill("0.9")
    assert "smooth=0.9" in page.url
    page.wait_for_timeout(200)
    smoothed = canvas_digest(page, sel)
    assert smoothed != before
    page.locator("input.log-y").check()
    assert "log=1" in page.url
    page.wait_for_timeout(200)
    assert canvas_digest(page, sel) != smoothed


def test_histograms_over_time_draw_a_heatmap_and_the_step_histogram(page, site):
    page.goto(workspace(site, "gradients_fine", [site["seed"][1]]))
    p = panel(page, "gradients_fine")
    p.locator("canvas.heatmap").wait_for()
    assert drawn(p.locator("canvas.heatmap"), 4)
    assert drawn(p.locator("canvas.hist-bars"), 4)
