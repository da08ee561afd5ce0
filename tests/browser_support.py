"""Shared pieces for real-browser tests and the screenshot script: a `streamlit run` server on
a free local port over a given library and index, and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60


def have_chromium() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


# --------------------------------------------------------------------------- waiting on Streamlit
#
# Streamlit draws a page in pieces while the script runs and may replace an element that a test
# already holds, so a test reads the page only once the run it caused has finished. The frontend
# says where it is on the app root: ``data-test-script-state`` ("notRunning" when a run has
# finished) and ``data-test-connection-state`` (Streamlit's own end-to-end tests wait on these).

_IDLE_JS = """
const app = document.querySelector("[data-testid='stApp']");
return !!app && app.dataset.testScriptState === "notRunning" && app.dataset.testConnectionState === "CONNECTED";
"""

# Counts the script runs that finish from now on in this page. A MutationObserver sees every
# change of the attribute; with the old values recorded, a run whose "running" and "notRunning"
# arrive in one batch of records is still counted.
_WATCH_RUNS_JS = """
const app = document.querySelector("[data-testid='stApp']");
if (!app) return -1;
if (window.cqcTestRuns === undefined) {
  window.cqcTestRuns = 0;
  new MutationObserver(function(records) {
    records.forEach(function(record, i) {
      const now = i + 1 < records.length ? records[i + 1].oldValue : app.dataset.testScriptState;
      if (now === "running") window.cqcTestRunning = true;
      if (now === "notRunning" && window.cqcTestRunning) {
        window.cqcTestRunning = false;
        window.cqcTestRuns += 1;
      }
    });
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}
return window.cqcTestRuns;
"""

# React may render a quick run's "running" and "notRunning" as one update, so the attribute never
# shows "running" (CI saw a wrong-password run go uncounted). An action is also taken as finished
# when the page has stayed idle this long after it.
QUIET_AFTER_ACTION = 2.0


def app_idle(driver) -> bool:
    """True when the page is connected and no script run is under way."""
    return bool(driver.execute_script(_IDLE_JS))


def wait_until(driver, condition, timeout: float = WAIT, message: str = ""):
    """``WebDriverWait(...).until(condition)`` that looks again when Streamlit replaced an element
    while the condition was reading it."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
                         ).until(condition, message)


def wait_idle(driver, timeout: float = WAIT) -> None:
    """Wait until the script run under way (if any) has finished."""
    wait_until(driver, app_idle, timeout, "Streamlit was still running the script")


def wait_loaded(driver, condition, timeout: float = WAIT):
    """After loading a page: wait until ``condition`` holds and the script run has finished, then
    return the condition's value read again on the finished page.

    A finished run does not mean every element is drawn: the frontend loads a widget's code on
    first use and draws it a moment later. Wait for any other element the test reads, too."""
    wait_until(driver, lambda d: condition(d) and app_idle(d), timeout)
    return wait_until(driver, condition, timeout)


@contextlib.contextmanager
def rerun(driver, timeout: float = WAIT) -> Iterator[None]:
    """Around an action in the page (a click, a widget change, Enter in a form): wait until the
    script run it starts has finished. Not for actions that load a new page (links)."""
    wait_idle(driver, timeout)
    before = driver.execute_script(_WATCH_RUNS_JS)
    yield
    busy_at = [time.monotonic()]

    def finished(d) -> bool:
        if not app_idle(d):
            busy_at[0] = time.monotonic()
            return False
        ran = d.execute_script("return window.cqcTestRuns ?? -1") > before
        return ran or time.monotonic() - busy_at[0] >= QUIET_AFTER_ACTION

    wait_until(driver, finished, timeout, "the action did not finish a script run")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer {url} within {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_server(corpus: Path, index: Path, log: Path, script: Path = ROOT / "app.py",
                     model: str = "hash", **env_settings: str) -> Iterator[str]:
    """``streamlit run script`` on 127.0.0.1 over ``corpus`` and ``index``; yields its URL.

    Runs from the project folder so ``.streamlit/config.toml`` applies, and with
    ``PYTHONPATH=src`` so this checkout's code is the code under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQC_KB_")}
    env.update(CQC_KB_CORPUS=str(corpus), CQC_KB_INDEX=str(index), CQC_KB_MODEL=model, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               **{f"CQC_KB_{k.upper()}": v for k, v in env_settings.items()})
    # The free port is only free when chosen: another process on a shared machine may take it
    # before Streamlit binds it, and then Streamlit exits at once. Try another port then.
    for attempt in range(3):
        port = free_port()
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            try:
                wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
            except RuntimeError:
                if proc.poll() is not None and "is not available" in log.read_text() and attempt < 2:
                    continue
                raise
            yield f"http://127.0.0.1:{port}"
            return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1440, height: int = 900) -> Iterator[object]:
    """A headless Chromium driven by Selenium, with its own profile folder."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
