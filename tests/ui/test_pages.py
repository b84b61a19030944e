"""Projects, the runs table, the run page, the empty-run message, view state in the URL, text-only user strings."""

from __future__ import annotations

from .looks import workspace

HOSTILE = "<img src=x onerror=alert(1)>"


def test_projects_page_lists_projects_and_links_them(page, site, shot):
    page.goto(site["url"] + "/")
    page.locator("table.projects").wait_for()
    names = page.locator("table.projects tbody td:first-child").all_inner_texts()
    assert {"seed-tour", "empty"} <= set(names)
    shot(page, "projects")
    page.locator("table.projects a", has_text="seed-tour").click()
    page.wait_for_url(site["url"] + "/seed-tour")
    page.locator(".run-row").first.wait_for()


def test_runs_table_sorts_filters_selects_and_keeps_names_as_text(page, site, shot):
    page.goto(site["url"] + "/seed-tour?tab=runs")
    page.locator(".run-row").nth(1).wait_for()
    names = lambda: page.locator(".run-row td.name").all_inner_texts()
    assert set(names()) == {HOSTILE, site["seed"][1]}
    # the hostile name is text: no <img> made from it, the tag is text too
    assert page.locator(".runs-table img").count() == 0
    assert page.locator(".tag", has_text="<b>bold</b>").count() == 1
    page.locator('th[data-field="name"]').click()  # descending by name
    first = names()
    page.locator('th[data-field="name"]').click()
    assert names() == list(reversed(first))
    assert page.locator('th[data-field="config.lr"]').count() == 1
    page.locator('th[data-field="config.lr"]').click()
    shot(page, "runs-table")
    # the config/summary columns are chosen in the Columns picker, and the choice is in the URL
    page.locator(".col-picker summary").click()
    page.locator('.col-picker input[data-col="config.lr"]').uncheck()
    page.wait_for_function("""() => !document.querySelector('th[data-field="config.lr"]')""")
    assert "cols=" in page.url and "config.lr" not in page.url.split("cols=")[1].split("&")[0]
    page.locator('.col-picker input[data-col="config.lr"]').check()
    page.locator('th[data-field="config.lr"]').wait_for()
    page.locator(".col-picker summary").click()
    page.locator("input.filter").fill("tag:compare")
    page.locator("input.filter").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.run-row').length === 1")
    assert names() == [HOSTILE]
    page.locator("input.filter").fill("lr>0.005")
    page.locator("input.filter").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.run-row').length === 1")
    assert names() == [HOSTILE]
    page.locator("input.filter").fill("state:finished")
    page.locator("input.filter").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.run-row').length === 2")


def test_selection_and_colours_follow_a_run_across_panels(page, site):
    page.goto(workspace(site, "(loss|acc)"))
    page.locator('.panel[data-key="loss"] .legend-item').first.wait_for()
    dot = page.locator(f'.run-row[data-run="{site["runs"][HOSTILE][1]}"] .dot').evaluate("d => d.style.background")
    for key in ("loss", "acc"):
        item = page.locator(f'.panel[data-key="{key}"] .legend-item', has_text=HOSTILE)
        item.scroll_into_view_if_needed()
        assert item.locator(".dot").evaluate("d => d.style.background") == dot
    page.locator(f'.run-row[data-run="{site["runs"][HOSTILE][1]}"] input.sel').uncheck()
    assert f"sel={site['seed'][1]}" in page.url
    page.wait_for_function("""() => !document.querySelector('.panel[data-key="loss"] .legend')""")


def test_view_state_survives_a_reload(page, site):
    url = workspace(site, "acc", [site["runs"][HOSTILE][1]], x="epoch", smooth="0.5", log="1")
    page.goto(url)
    page.locator('.panel[data-key="acc"] .chart[data-painted="1"]').wait_for()
    page.reload()
    page.locator('.panel[data-key="acc"] .chart[data-painted="1"]').wait_for()
    assert page.locator("select.x-axis").input_value() == "epoch"
    assert page.locator("input.smooth").input_value() == "0.5"
    assert page.locator("input.log-y").is_checked()
    assert page.locator(".run-row.on").count() == 1


def test_run_page_overview_config_summary_and_tabs(page, site, shot):
    project, rid = site["seed"]
    page.goto(f"{site['url']}/{project}/runs/{rid}")
    page.locator("table.meta").wait_for()
    assert page.locator('tr[data-field="State"] td.v').inner_text() == "finished"
    assert page.locator('tr[data-field="Exit code"] td.v').inner_text() == "0"
    assert "seed_tour.py" in page.locator('tr[data-field="Command"] td.v').inner_text()
    assert page.locator('.kv-block:has(h3:text("Config")) tr[data-key="lr"] td.v').inner_text() == "0.001"
    assert page.locator('.kv-block:has(h3:text("Summary")) tr[data-key="best_accuracy"] td.v').inner_text() == "0.9"
    # the summary's histogram is drawn, not printed
    page.locator('.kv-block:has(h3:text("Summary")) tr[data-key="gradients"] canvas.hist-bars').wait_for()
    shot(page, "run-overview", full_page=True)
    page.locator('button[data-tab="charts"]').click()
    assert "tab=charts" in page.url
    page.locator('.panel[data-key="loss"] .chart[data-painted="1"]').wait_for()
    shot(page, "run-charts")
    page.locator('button[data-tab="logs"]').click()
    page.locator(".console, .empty").first.wait_for()
    page.locator('button[data-tab="system"]').click()
    page.locator(".system, .empty").first.wait_for()


def test_hostile_strings_stay_text_on_the_run_page(page, site):
    project, rid = site["runs"][HOSTILE]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{site['url']}/{project}/runs/{rid}")
    page.locator("h1.run-title").wait_for()
    assert HOSTILE in page.locator("h1.run-title").inner_text()
    assert page.locator('tr[data-field="Notes"] td.v').inner_text() == "<script>alert(2)</script>"
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    assert dialogs == []


def test_a_run_without_data_says_so(page, site):
    page.goto(site["url"] + "/empty")
    page.locator(".no-data").wait_for()
    assert page.locator(".no-data").inner_text() == "No visualization data logged yet"
