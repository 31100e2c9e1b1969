"""Helpers for the browser tests: Chromium through Playwright, console capture, axe, screenshots."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sixdegrees.conftest import need_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "test-artifacts"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


@dataclass
class Console:
    """Every console error and uncaught exception a page produced."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

        def dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

    def real_errors(self, allow_status: tuple[int, ...] = ()) -> list[str]:
        """Errors, minus the browser's note about a page we asked for with that status on purpose."""
        ignored = [re.compile(rf"status of {status}\b") for status in allow_status]
        return [e for e in self.errors if not any(p.search(e) for p in ignored)]


def new_context(browser: Any, live_server: Any, *, language: str = "", viewport: str = "desktop", session: str = ""):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")
    cookies = []
    if language:
        cookies.append({"name": "django_language", "value": language, "url": live_server.url})
    if session:
        cookies.append({"name": "sessionid", "value": session, "url": live_server.url})
    if cookies:
        context.add_cookies(cookies)
    return context


def session_for(user: Any) -> str:
    """A signed-in session cookie for `user` (as force_login makes one)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    need_service(AXE.exists(), "axe-core (run `make test` or `npm install` to fetch it)")
    # Evaluated through DevTools, not as a <script> tag: the pages' CSP (rightly) refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result
