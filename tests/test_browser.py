"""End to end in a real browser: `streamlit run app.py` driven by headless Chromium.

The index is pre-built with the ``hash`` embedder over the real report alone, so the test
is fast and the median-wait question has one right answer. Skipped when Debian's chromium
or chromedriver is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cqc_kb.kb import build_index

from conftest import REAL_REPORT, make_settings

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
QUESTION = "What was the median waiting time for a Care Act assessment?"
EXPECTED = "median waiting time was 28 days"
WAIT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"streamlit did not answer {url} within {timeout:.0f} s")


@pytest.fixture
def server(tmp_path: Path):
    """A Streamlit server on a free local port over a pre-built hash index; yields its URL."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus / REAL_REPORT.name)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CQC_KB_")}
    env.update(CQC_KB_CORPUS=str(corpus), CQC_KB_INDEX=str(settings.index), CQC_KB_MODEL="hash",
               PYTHONUNBUFFERED="1")
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.fixture
def browser(tmp_path: Path):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(f"needs Debian's headless Chromium: {CHROMIUM} and {CHROMEDRIVER} "
                    "(apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chrome'}",
                "--window-size=1366,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def test_ask_in_the_browser_shows_the_cited_quote(browser, server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(server)
    box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your question']")))
    box.click()
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)
    mark = wait.until(EC.visibility_of_element_located(
        (By.XPATH, f"//div[contains(@class,'cqc-quote')]//mark[contains(., '{EXPECTED}')]")))
    assert EXPECTED in mark.text
    answer = browser.find_element(By.CSS_SELECTOR, "div.cqc-answer")
    assert EXPECTED in answer.text and "[1]" in answer.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Stockton-on-Tees Borough Council" in body
    assert "Traceback" not in body
    time.sleep(0.5)  # let the expanders finish animating before the screenshot
    shot = tmp_path / "ask.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
