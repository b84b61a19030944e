"""Every media panel of the seed tour renders in a real browser, and its controls work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .looks import canvas_digest, digest_after, drawn, panel, workspace


def _seed_only(site):
    return [site["seed"][1]]


@pytest.mark.parametrize("key, check", [
    ("examples", "slider"), ("segmentation", "canvas"), ("driving_scene", "canvas"), ("video", "img"),
    ("video_mp4", "video"), ("video_file", "video"), ("dataframe_table", "table"), ("custom_file", "iframe"),
    ("custom_string", "iframe"), ("protein", "viewer"), ("my_custom_plot_id", "viewer"), ("my_custom_id", "viewer"),
    ("my_bar_chart_id", "viewer"), ("my_histogram", "viewer"), ("pr", "viewer"), ("roc", "viewer"),
    ("my_custom_chart", "viewer"), ("chart", "viewer"), ("generated_samples", "viewer"), ("point_cloud", "viewer"),
    ("point_cloud_categories", "viewer"), ("point_cloud_colors", "viewer"), ("point_scene", "viewer"),
    ("gradients", "heatmap"), ("gradients_fine", "heatmap"), ("jpeg_example", "img"), ("example", "img"),
])
def test_each_panel_renders(page, site, shot, key, check):
    page.goto(workspace(site, key, _seed_only(site)))
    p = panel(page, key)
    if check == "img":
        p.locator("img").first.wait_for()
        page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0)",
                               arg=p.locator("img").element_handles())
    elif check == "canvas":
        p.locator("canvas.annotated-canvas[data-ready='1']").wait_for()
    elif check in ("video", "iframe"):
        el = p.locator(check)
        el.wait_for()
        assert el.get_attribute("src").startswith("/api/v1/runs/seed-tour/")
        if check == "video":
            page.wait_for_function("v => v.readyState >= 1", arg=el.element_handle())
    elif check == "table":
        p.locator("tbody tr").first.wait_for()
    elif check == "viewer":
        p.locator(".viewer-mount[data-ready='1']").first.wait_for(timeout=30_000)
        p.locator(".viewer-mount canvas, .viewer-mount svg").first.wait_for()
        page.wait_for_timeout(300)
    elif check == "heatmap":
        p.locator("canvas.heatmap").wait_for()
    elif check == "slider":
        p.locator("input.step").wait_for()
    assert drawn(p), f"panel {key} looks blank"
    shot(p, f"panel-{key}")


def test_step_slider_changes_the_image(page, site):
    page.goto(workspace(site, "example", _seed_only(site)))
    p = panel(page, "example")
    slider = p.locator("input.step")
    slider.wait_for()
    last = sorted(p.locator("img").evaluate_all("is => is.map(i => i.getAttribute('src'))"))
    assert len(last) == 3 and p.locator(".step-label").inner_text() == "Step 42"
    slider.fill("0")  # the first step that logged this key
    page.wait_for_function("p => p.querySelectorAll('img').length === 1", arg=p.element_handle())
    first = p.locator("img").evaluate_all("is => is.map(i => i.getAttribute('src'))")
    assert p.locator(".step-label").inner_text() == "Step 41"
    assert first != last
    assert "step.example=41" in page.url  # the slider position is part of the shareable URL


def test_one_key_with_images_audio_and_table_follows_the_slider(page, site):
    page.goto(workspace(site, "examples", _seed_only(site)))
    p = panel(page, "examples")
    p.locator("table.data-table").wait_for()  # last value: a table
    slider = p.locator("input.step")
    maximum = int(slider.get_attribute("max"))
    seen = set()
    for i in range(maximum + 1):
        slider.fill(str(i))
        page.wait_for_timeout(150)
        seen.add(p.locator(".items").first.get_attribute("class"))
    assert {"items items-image", "items items-audio", "items items-table"} <= seen, seen
    slider.fill("1")
    audio = p.locator("audio")
    audio.wait_for()
    assert audio.get_attribute("src").endswith(".wav")
    assert p.locator("figcaption").inner_text() == "Nice"


def test_mask_toggles_change_the_drawn_pixels(page, site, shot):
    page.goto(workspace(site, "segmentation", _seed_only(site)))
    p = panel(page, "segmentation")
    p.locator("canvas[data-ready='1']").wait_for()
    page.wait_for_timeout(300)
    sel = '.panel[data-key="segmentation"] canvas.annotated-canvas'
    both = canvas_digest(page, sel)
    shot(p, "masks-both")
    group = p.locator('.mask-group[data-group="predictions"]')
    group.locator("input[type=checkbox]").uncheck()
    one = digest_after(page, sel, both)
    assert one != both
    p.locator('.mask-group[data-group="groud_truth"] .class-chip[data-class="2"]').click()  # hide "car"
    no_car = digest_after(page, sel, one)
    assert no_car != one
    assert "off" in p.locator('.mask-group[data-group="groud_truth"] .class-chip[data-class="2"]').get_attribute("class")
    p.locator("input.mask-opacity").fill("0")
    clear = digest_after(page, sel, no_car)
    assert clear != no_car
    p.locator('.mask-group[data-group="groud_truth"] input[type=checkbox]').uncheck()
    page.wait_for_timeout(300)
    assert canvas_digest(page, sel) == clear  # at opacity 0 the masks draw nothing: only the image is left
    assert [c.inner_text() for c in group.locator(".class-chip").all()] == ["tree", "car", "road"]
    shot(p, "masks-toggled")


def test_box_class_filter_and_score_slider_hide_boxes(page, site, shot):
    page.goto(workspace(site, "driving_scene", _seed_only(site)))
    p = panel(page, "driving_scene")
    canvas = p.locator("canvas[data-ready='1']")
    canvas.wait_for()
    expect(canvas).to_have_attribute("data-boxes", "4")
    sel = '.panel[data-key="driving_scene"] canvas.annotated-canvas'
    all_boxes = canvas_digest(page, sel)
    road = p.locator('.box-group[data-group="predictions"] .class-chip[data-class="2"]')
    assert road.inner_text() == "road"
    road.click()
    expect(canvas).to_have_attribute("data-boxes", "3")
    assert digest_after(page, sel, all_boxes) != all_boxes
    road.click()
    expect(canvas).to_have_attribute("data-boxes", "4")
    acc = p.locator('.score[data-score="acc"] input.score-slider')
    acc.fill("0.5")  # hides the box scoring acc 0.1; boxes without an acc score stay
    expect(canvas).to_have_attribute("data-boxes", "3")
    assert re.match(r"acc ≥ 0\.5", p.locator('.score[data-score="acc"]').inner_text())
    p.locator('.box-group[data-group="ground_truth"] input[type=checkbox]').uncheck()
    expect(canvas).to_have_attribute("data-boxes", "1")
    shot(p, "boxes-filtered")


def test_table_sort_filter_and_paging(page, site):
    page.goto(workspace(site, "dataframe_table", _seed_only(site)))
    p = panel(page, "dataframe_table")
    first_col = lambda: [t.inner_text() for t in p.locator("tbody tr td:nth-child(2)").all()]
    p.locator("tbody tr").first.wait_for()
    assert first_col() == ["a", "b", "c"]
    score = p.locator("th", has_text="score")
    score.click()
    expect(p.locator("tbody tr td:nth-child(2)").first).to_have_text("a")
    score.click()  # descending
    expect(p.locator("tbody tr td:nth-child(2)").first).to_have_text("c")
    assert first_col() == ["c", "b", "a"]
    p.locator("input.table-filter").fill("b")
    expect(p.locator(".page-of")).to_have_text("1–1 of 1")
    assert first_col() == ["b"]


def test_html_is_sandboxed_to_scripts_only(page, site):
    page.goto(workspace(site, "custom_file", _seed_only(site)))
    frame = panel(page, "custom_file").locator("iframe")
    frame.wait_for()
    assert frame.get_attribute("sandbox") == "allow-scripts"
    inner = page.frame_locator('.panel[data-key="custom_file"] iframe')
    assert inner.locator("h1").inner_text() == "Report"
