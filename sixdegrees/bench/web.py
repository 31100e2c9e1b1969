"""Benchmark: how fast the pages are, measured in Chromium against a real `sixdegrees up`.

A scratch installation (its own data dir) is started with `sixdegrees up` on a spare port; then
Chromium (/usr/bin/chromium, through Playwright) loads the landing page in a fresh context each
time and reads First Contentful Paint, Largest Contentful Paint, Cumulative Layout Shift and the
bytes transferred; and the dashboard of a campaign made through the intake times its own data
refresh (the GET /api/campaign/<id> poll, as the page's script measures it).

`run()` returns the figures; `python -m sixdegrees.bench web` writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from sixdegrees.bench.report import scratch_env

SECTION = "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TARGETS = {"fcp_ms": 500, "lcp_ms": 1000, "cls": 0.05, "landing_kb": 150, "refresh_ms": 200}
VITALS = """window.__lcp = null; window.__cls = 0;
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__lcp = e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});"""
READ_VITALS = """() => {
  const paint = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bytes = nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0);
  return {fcp: paint ? paint.startTime : null, lcp: window.__lcp, cls: window.__cls, bytes: bytes,
          requests: 1 + resources.length, ttfb: nav.responseStart - nav.requestStart};
}"""
INTAKE = {
    "user_name": "Alice Chen",
    "user_email": "alice@example.com",
    "user_background": "Founder of a climate-tech startup; previously ML engineer at Stripe; Stanford alumna.",
    "target_name": "Jane Doe",
    "target_company": "Partner at Sequoia Capital",
    "target_reason": "We are raising our Series A and Jane led two climate investments last year.",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--web-runs", type=int, default=7, help="web: landing page loads to take the median of")
    parser.add_argument("--web-refreshes", type=int, default=20, help="web: dashboard refreshes to time")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the service did not answer at {url}")


class Service:
    """`sixdegrees up` in a scratch data dir, stopped (SIGTERM to its own pid) on exit."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sixdegrees-bench-web-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        data = self.folder / "data"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sixdegrees", "up", "--port", str(self.port)],
            env=scratch_env(data),
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self.url + "/")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _landing(browser: Any, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(VITALS)
    page.goto(url + "/", wait_until="load")
    page.wait_for_timeout(500)  # LCP and CLS settle; read them before any input
    figures = page.evaluate(READ_VITALS)
    context.close()
    return figures


def _dashboard(browser: Any, url: str, refreshes: int) -> dict[str, Any]:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(VITALS)
    page.goto(url + "/intake")
    for name, value in INTAKE.items():
        page.fill(f"#id_{name}", value)
    page.click("[data-submit]")
    page.wait_for_url("**/dashboard?campaign=*")
    # Locators, not wait_for_function: the page's CSP (rightly) refuses string evaluation.
    expect(page.locator("[data-dashboard]")).not_to_have_attribute("data-status", "processing", timeout=60000)
    page.wait_for_timeout(300)
    first = page.evaluate(READ_VITALS)
    page.evaluate("window.__sixdegreesPolls.length = 0")
    for _ in range(refreshes):
        page.click("[data-refresh]")
        expect(page.locator("[data-refresh]")).to_be_enabled()
    polls = list(page.evaluate("window.__sixdegreesPolls.slice()"))
    status = page.get_attribute("[data-dashboard]", "data-status")
    context.close()
    return {"polls": polls, "first": first, "status": status}


def run_measurements(runs: int = 7, refreshes: int = 20) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Chromium is needed at {CHROMIUM}")
    with Service() as service, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            _landing(browser, service.url)  # warm-up: Python imports, template compilation
            loads = [_landing(browser, service.url) for _ in range(runs)]
            dashboard = _dashboard(browser, service.url, refreshes)
        finally:
            browser.close()
    polls = sorted(dashboard["polls"])
    return {
        "runs": runs,
        "fcp_ms": statistics.median(r["fcp"] for r in loads),
        "lcp_ms": statistics.median(r["lcp"] for r in loads),
        "cls": max(r["cls"] for r in loads),
        "landing_kb": statistics.median(r["bytes"] for r in loads) / 1024,
        "landing_requests": loads[-1]["requests"],
        "ttfb_ms": statistics.median(r["ttfb"] for r in loads),
        "refreshes": len(polls),
        "refresh_ms": statistics.median(polls) if polls else None,
        "refresh_p95_ms": polls[max(0, int(len(polls) * 0.95) - 1)] if polls else None,
        "dashboard_fcp_ms": dashboard["first"]["fcp"],
        "dashboard_kb": dashboard["first"]["bytes"] / 1024,
        "dashboard_status": dashboard["status"],
    }


def _check(value: float | None, target: float) -> str:
    return "—" if value is None else ("yes" if value < target else "**no**")


def markdown(result: dict[str, Any]) -> str:
    from sixdegrees.bench.report import machine

    rows = [
        ("Landing: First Contentful Paint (median)", f"{result['fcp_ms']:.0f} ms", "< 500 ms", "fcp_ms"),
        ("Landing: Largest Contentful Paint (median)", f"{result['lcp_ms']:.0f} ms", "< 1 s", "lcp_ms"),
        ("Landing: Cumulative Layout Shift (worst run)", f"{result['cls']:.3f}", "< 0.05", "cls"),
        (
            f"Landing: bytes transferred ({result['landing_requests']} requests, no cache)",
            f"{result['landing_kb']:.1f} kB",
            "< 150 kB",
            "landing_kb",
        ),
        (
            f"Dashboard: data refresh, GET /api/campaign/<id> (median of {result['refreshes']})",
            f"{result['refresh_ms']:.1f} ms (p95 {result['refresh_p95_ms']:.1f} ms)",
            "< 200 ms",
            "refresh_ms",
        ),
    ]
    lines = [
        "## Web pages in Chromium",
        "",
        f"`python -m sixdegrees.bench web` on {dt.date.today().isoformat()}: {machine()}.",
        "",
        "| measure | result | target | met |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {value} | {target} | {_check(result[key], TARGETS[key])} |" for name, value, target, key in rows
    ]
    lines += [
        "",
        f"Also: landing time to first byte {result['ttfb_ms']:.1f} ms; dashboard First Contentful Paint "
        f"{result['dashboard_fcp_ms']:.0f} ms with {result['dashboard_kb']:.1f} kB transferred.",
        "",
        f"A scratch `sixdegrees up` (gunicorn + worker, SQLite, development settings: files served "
        f"uncompressed by WhiteNoise) on 127.0.0.1; Chromium {CHROMIUM} at 1280×800, a fresh context "
        f"(empty cache) for each of {result['runs']} landing loads after one warm-up. The refresh time is "
        "what the dashboard's own script measures around its poll (request to parsed JSON), after a campaign "
        "made through the intake page has its plan.",
    ]
    return "\n".join(lines)


def run(options: argparse.Namespace | None = None) -> str:
    """The bench framework's entry point: measure, and return the Markdown section."""
    runs = getattr(options, "web_runs", 7) if options is not None else 7
    refreshes = getattr(options, "web_refreshes", 20) if options is not None else 20
    return markdown(run_measurements(runs, refreshes))


def measure() -> dict[str, Any]:
    """The figures alone, for scripts."""
    return run_measurements()


if __name__ == "__main__":
    from sixdegrees.bench.report import update_section

    update_section(SECTION, run())
