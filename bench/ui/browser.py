"""Screenshots of the tools' UIs in headless Chromium (Debian's ``chromium``, driven by Playwright).

No browser is ever downloaded: Playwright's Python client drives ``/usr/bin/chromium``. The network
here is closed, so Chromium starts with its background networking off and a fresh profile folder
(see the machine notes); without those flags it keeps trying to reach Google's hosts.

Playwright's sync API must be used from the thread that started it, and the UI section may drive
three servers from three threads: :class:`BrowserService` owns one browser on one worker thread
and runs every screenshot there, one after another.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the harness runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}


class BrowserUnavailable(RuntimeError):
    """Chromium or Playwright could not start: screenshots are not taken, and the report says why."""


# Roles a click can name; "key" presses a keyboard shortcut instead ("key:Alt+e").
ROLES = frozenset({"button", "combobox", "option", "tab", "link", "menuitem", "checkbox", "radio", "key"})


@dataclass(frozen=True)
class Shot:
    """One page to capture: wait until every text in ``wait_for`` is on screen, then screenshot."""

    url: str
    path: Path
    wait_for: tuple[str, ...] = ()
    cookies: tuple[dict[str, Any], ...] = ()
    # What a user clicks first, each if it shows up: a button by its accessible name (a welcome
    # dialog's "Skip", "Expand all task groups"), or "<role>:<name>" for another role
    # ("combobox:Dependencies"), or "key:<shortcut>" for a keyboard shortcut. One that never shows is
    # noted, not an error.
    clicks: tuple[str, ...] = ()
    viewport: tuple[int, int] | None = None  # width, height; None: the browser's default
    settle_seconds: float = 2.0  # after the texts appear, for the graph layout's animation to finish
    timeout_seconds: float = 120.0


@dataclass
class ShotResult:
    ok: bool
    path: Path | None
    seconds: float
    note: str = ""


class BrowserService:
    """One headless Chromium on its own thread; ``screenshot`` may be called from any thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._profile = Path(tempfile.mkdtemp(prefix="lc-bench-chromium-"))
        self._playwright: Any = None
        self._context: Any = None
        self.version = ""

    def start(self) -> None:
        """Launch Chromium; raises :class:`BrowserUnavailable` naming the problem."""
        self._pool.submit(self._launch).result()

    def _launch(self) -> None:
        if not CHROMIUM.exists():
            raise BrowserUnavailable(f"{CHROMIUM} not found (Debian package chromium: apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as error:
            raise BrowserUnavailable(f"the playwright Python package is not installed: {error}") from error
        try:
            self._playwright = sync_playwright().start()
            self._context = self._playwright.chromium.launch_persistent_context(
                str(self._profile),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport=VIEWPORT,
                timeout=60_000,
            )
            self.version = self._context.browser.version if self._context.browser else ""
        except Exception as error:  # Playwright raises its own Error types; any of them means no browser
            self._shutdown()
            raise BrowserUnavailable(f"Chromium did not start: {str(error).splitlines()[0]}") from error

    def screenshot(self, shot: Shot) -> ShotResult:
        return self._pool.submit(self._take, shot).result()

    def _take(self, shot: Shot) -> ShotResult:
        started = time.perf_counter()
        page = self._context.new_page()
        try:
            if shot.cookies:
                self._context.add_cookies(list(shot.cookies))
            if shot.viewport:
                page.set_viewport_size({"width": shot.viewport[0], "height": shot.viewport[1]})
            page.goto(shot.url, wait_until="domcontentloaded", timeout=shot.timeout_seconds * 1000)
            not_clicked = []
            for click in shot.clicks:
                role, _, name = click.partition(":")
                if role not in ROLES:
                    role, name = "button", click
                try:
                    if role == "key":
                        page.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a field
                        page.keyboard.press(name)
                    else:
                        page.get_by_role(role, name=name, exact=True).first.click(timeout=15_000)
                    page.wait_for_timeout(500)
                except Exception:  # not on this page (e.g. the welcome dialog was already dismissed)
                    not_clicked.append(click)
            missing = []
            for text in shot.wait_for:
                remaining = max(1.0, shot.timeout_seconds - (time.perf_counter() - started))
                try:
                    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=remaining * 1000)
                except Exception:  # a Playwright TimeoutError: the page never showed it
                    missing.append(text)
            page.wait_for_timeout(shot.settle_seconds * 1000)
            shot.path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot.path))
            seconds = time.perf_counter() - started
            if missing:
                return ShotResult(
                    False,
                    shot.path,
                    seconds,
                    f"not rendered within {shot.timeout_seconds:.0f} s: "
                    f"{', '.join(missing)} never appeared (page {page.url})",
                )
            extra = f" (buttons not shown: {', '.join(not_clicked)})" if not_clicked else ""
            return ShotResult(True, shot.path, seconds, f"rendered in {seconds:.1f} s{extra}")
        except Exception as error:
            return ShotResult(
                False, None, time.perf_counter() - started, f"{type(error).__name__}: {str(error).splitlines()[0]}"
            )
        finally:
            page.close()

    def close(self) -> None:
        try:
            self._pool.submit(self._shutdown).result(timeout=60)
        finally:
            self._pool.shutdown(wait=True)
            shutil.rmtree(self._profile, ignore_errors=True)

    def _shutdown(self) -> None:
        if self._context is not None:
            try:
                self._context.close()
            except Exception:
                pass
            self._context = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
