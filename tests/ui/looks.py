"""What a test can say about pixels: an element's screenshot, or a canvas's own pixels."""

from __future__ import annotations

import io
from urllib.parse import quote

from PIL import Image


def colors(png: bytes) -> int:
    """Distinct colours in a screenshot (a blank panel has one or two)."""
    im = Image.open(io.BytesIO(png)).convert("RGB")
    found = im.getcolors(maxcolors=im.width * im.height)
    return len(found)


def drawn(locator, at_least: int = 8) -> bool:
    return colors(locator.screenshot()) >= at_least


def canvas_digest(page, selector: str) -> str:
    """The pixels of a 2-D canvas, summarised (changes when anything drawn changes)."""
    return page.eval_on_selector(selector, """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let h = 0; for (let i = 0; i < d.length; i += 1) h = (h * 31 + d[i]) | 0;
        return `${c.width}x${c.height}:${h}`;
    }""")


def digest_after(page, selector: str, old: str, timeout: float = 5000) -> str:
    """The canvas digest once it differs from ``old`` (rendering is asynchronous); ``old`` if it never does."""
    try:
        page.wait_for_function("""([sel, old]) => {
            const c = document.querySelector(sel);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let h = 0; for (let i = 0; i < d.length; i += 1) h = (h * 31 + d[i]) | 0;
            return `${c.width}x${c.height}:${h}` !== old;
        }""", arg=[selector, old], timeout=timeout)
    except Exception as err:  # playwright's TimeoutError: the caller's assert says what did not change
        if "Timeout" not in type(err).__name__:
            raise
    return canvas_digest(page, selector)


def workspace(site: dict, key: str | None = None, runs: list[str] | None = None, **extra: str) -> str:
    """The seed-tour workspace URL, panels narrowed to one key (``/^key$/``) when given."""
    q = {}
    if runs is not None:
        q["sel"] = ",".join(runs)
    if key is not None:
        q["q"] = f"/^{key}$/"
    q.update(extra)
    qs = "&".join(f"{k}={quote(v, safe='/,')}" for k, v in q.items())
    return f"{site['url']}/seed-tour" + (f"?{qs}" if qs else "")


def panel(page, key: str):
    loc = page.locator(f'.panel[data-key="{key}"]')
    loc.wait_for()
    loc.scroll_into_view_if_needed()
    return loc
