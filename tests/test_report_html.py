"""report.html opened as a reader opens it: from disk, in headless Chromium (Debian's package,
which `make test` installs as root), with the network off."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shadowline.flows.cli import main

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium: `make test` installs Debian's package as root (apt-get install chromium)",
)
# Without the background-networking flags Chromium calls home at start, and this closed
# network refuses it.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_the_html_report_renders_every_plot_and_table_with_no_console_errors(
    demo_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    out = tmp_path / "report"
    assert main(["--warehouse", demo_url, "report", "--out", str(out)]) == 0
    manifest = json.loads((out / "report.json").read_text())
    page_file = out / "report.html"
    # self-contained: still renders with the PNGs beside it gone
    for plot in manifest["plots"]:
        (out / plot["file"]).unlink()

    problems: list[str] = []
    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.on("request", lambda r: fetched.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img",
                "els => els.map(i => [i.dataset.file, i.complete, i.naturalWidth, "
                "i.naturalHeight])",
            )
            header = page.eval_on_selector_all("table th", "els => els.map(e => e.textContent)")
            rows = page.eval_on_selector_all(
                "table tbody tr", "els => els.map(r => r.cells[0].textContent)"
            )
            headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
            title = page.title()
        finally:
            browser.close()

    assert problems == []
    assert [u for u in fetched if not u.startswith(("data:", "file:"))] == []
    plots = manifest["plots"]
    assert [(f, ok, w, h) for f, ok, w, h in images] == [
        (p["file"], True, p["width"], p["height"]) for p in plots
    ]
    assert headings == [p["title"] for p in plots]
    assert header[:3] == ["model_id", "graded_predictions", "mae"]
    assert sorted(rows) == sorted(manifest["models"])
    assert title == f"shadowline report, {manifest['start']} to {manifest['end']}"
