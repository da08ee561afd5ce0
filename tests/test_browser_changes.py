"""The Changes page in a real browser: `streamlit run` driven by headless Chromium, over the
fixture library plus an earlier Ashdown Vale assessment (PDF). Saves a screenshot in a folder
the test prints; skipped when Debian's chromium or chromedriver is missing."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from browser_support import chromium, have_chromium, streamlit_server, wait_loaded
from build_fixtures import EARLIER_ASSESSMENTS, FIXTURES, build_earlier_assessments
from conftest import make_settings
from cqc_kb.kb import build_index
from cqc_kb_app.common import page_link

pytestmark = pytest.mark.browser

OLD = EARLIER_ASSESSMENTS[0]
NEW = next(f for f in FIXTURES if f.authority == OLD.authority)


def test_changes_page_in_the_browser(fixture_corpus: Path, tmp_path: Path, tmp_path_factory) -> None:
    if not have_chromium():
        pytest.skip("needs Debian's headless Chromium: /usr/bin/chromium and /usr/bin/chromedriver")
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    shots = tmp_path_factory.mktemp("screenshots-changes", numbered=True)
    print(f"\nscreenshots: {shots}")
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    build_earlier_assessments(corpus)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    with streamlit_server(corpus, settings.index, shots / "streamlit.log") as url, \
            chromium(tmp_path / "chrome", 1440, 1300) as browser:
        browser.get(url + page_link("changes", council=OLD.authority))
        table = wait_loaded(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "div.cqc-changes table")))
        text = table.text
        assert "14 June 2023" in text and f"▲ up from {OLD.rating}" in text
        assert text.index("14 June 2023") < text.index(NEW.output)
        # A score cell opens the report at its score line.
        cell = browser.find_element(By.CSS_SELECTOR, "div.cqc-changes a[title^='Safeguarding: 2 of 4']")
        time.sleep(0.6)  # only for the picture
        assert browser.save_screenshot(str(shots / "changes-1440.png"))
        cell.click()  # a link: the app loads again
        mark = wait_loaded(browser, EC.visibility_of_element_located((By.ID, "cqc-quote")))
        assert mark.text.startswith("Score: 2") and "doc=ashdown-vale-2023.pdf" in browser.current_url
        assert "Traceback" not in browser.find_element(By.TAG_NAME, "body").text
        time.sleep(0.6)  # only for the picture
        assert browser.save_screenshot(str(shots / "changes-score-line-1440.png"))
