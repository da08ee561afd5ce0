"""The Library and Compare pages in a real browser: `streamlit run` driven by headless Chromium.

Removing and re-adding a report, a refused upload showing its reason, and Compare sorted by
the figure each council's quote gives. Each test saves its screenshots in one folder (printed)
and the server log beside them. Skipped when Debian's chromium or chromedriver is missing.
"""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from cqc_kb.kb import build_index

from browser_support import ROOT, WAIT, chromium, have_chromium, rerun, streamlit_server, wait_idle, wait_until
from conftest import FIXTURES, make_settings

pytestmark = pytest.mark.browser

MEDIAN_Q = "What was the median waiting time for a Care Act assessment?"
STOCKTON = "Stockton-on-Tees Borough Council"
MEDIAN_DAYS = {**{f.authority: f.median_wait_days for f in FIXTURES}, STOCKTON: 28}


@pytest.fixture
def shots(request, tmp_path_factory) -> Path:
    """This test's screenshot folder (printed, so a run with ``-s`` says where to look)."""
    folder = tmp_path_factory.mktemp(f"screenshots-{request.node.name}", numbered=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def library(fixture_corpus: Path, tmp_path: Path):
    """A private four-council library with a built hash index."""
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    return settings


@pytest.fixture
def browser(tmp_path: Path):
    if not have_chromium():
        pytest.skip("needs Debian's headless Chromium: /usr/bin/chromium and /usr/bin/chromedriver "
                    "(apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    with chromium(tmp_path / "chrome") as driver:
        yield driver


# --------------------------------------------------------------------------- page helpers

def by():
    from selenium.webdriver.common.by import By

    return By


def wait_for(driver, condition, timeout: float = WAIT):
    return wait_until(driver, condition, timeout)


def body_text(driver) -> str:
    return driver.find_element(by().TAG_NAME, "body").text


def wait_text(driver, text: str, timeout: float = WAIT) -> None:
    wait_for(driver, lambda d: text in body_text(d), timeout)


def button(driver, label: str):
    """The shown, enabled button ``label`` (a form's submit button is disabled while a file uploads)."""
    xpath = f"//button[normalize-space(.)='{label}']"
    return wait_for(driver, lambda d: next((b for b in d.find_elements(by().XPATH, xpath)
                                            if b.is_displayed() and b.is_enabled()), None))


def click(driver, label: str) -> None:
    """Click the button ``label`` and wait until the script run it starts has finished."""
    target = button(driver, label)
    with rerun(driver):
        target.click()


def choose(driver, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``; returns once the app has run with it."""
    from selenium.webdriver.common.keys import Keys

    xpath = f"//div[@data-testid='stSelectbox'][.//label[normalize-space(.)='{label}']]//input"
    # The widget may be drawn a moment after the run that sent it has finished (its code loads
    # on first use), so it is waited for, not just looked up.
    wait_for(driver, lambda d: d.find_element(by().XPATH, xpath))
    wait_idle(driver)
    box = wait_for(driver, lambda d: d.find_element(by().XPATH, xpath))
    if box.get_attribute("value") == option:
        return  # already chosen: picking it again would not run the script
    with rerun(driver):
        box.click()
        box.send_keys(option)
        box.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(by().XPATH, xpath).get_attribute("value") == option)


def upload(driver, label: str, path: Path) -> None:
    """Choose ``path`` in the file uploader ``label`` and wait until it has been uploaded."""
    field = wait_for(driver, lambda d: d.find_element(
        by().XPATH, f"//div[@data-testid='stFileUploader'][.//label[normalize-space(.)='{label}']]"
                    "//input[@type='file']"))
    field.send_keys(str(path))
    wait_for(driver, lambda d: any(path.name in c.text for c in d.find_elements(
        by().CSS_SELECTOR, "[data-testid='stFileChipName']"))
        and not d.find_elements(by().CSS_SELECTOR, "[data-testid='stFileChipIconSpinner']"))


def library_files(driver) -> list[str]:
    cells = driver.find_elements(by().CSS_SELECTOR, "div.cqc-library tbody tr td:nth-child(2)")
    return [c.text for c in cells]


def shoot(driver, folder: Path, name: str, near: str | None = None) -> None:
    """A screenshot of the page, scrolled so that the first visible text ``near`` is in view."""
    if near:
        element = driver.find_element(by().XPATH, f"//*[contains(., '{near}') and not(*[contains(., '{near}')])]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        time.sleep(0.3)  # only for the picture
    assert driver.save_screenshot(str(folder / f"{name}.png"))


# --------------------------------------------------------------------------- tests

def test_remove_and_re_add_a_report(browser, library, shots, tmp_path) -> None:
    kept = tmp_path / "kestrel-moor.txt"
    shutil.copy(library.corpus / "kestrel-moor.txt", kept)
    with streamlit_server(library.corpus, library.index, shots / "streamlit.log") as url:
        browser.get(f"{url}/?page=library")
        wait_for(browser, lambda d: "kestrel-moor.txt" in library_files(d))
        wait_idle(browser)
        choose(browser, "Report", "kestrel-moor.txt")
        click(browser, "Remove…")
        wait_text(browser, "Remove kestrel-moor.txt from the library?")
        shoot(browser, shots, "1-confirm-remove", near="from the library?")
        click(browser, "Yes, remove it")
        wait_text(browser, "kestrel-moor.txt was removed from the library")
        wait_idle(browser)
        shoot(browser, shots, "2-removed", near="was removed from the library")
        assert "kestrel-moor.txt" not in library_files(browser)
        assert not (library.corpus / "kestrel-moor.txt").exists()

        upload(browser, "Report files", kept)
        click(browser, "Add to library")
        wait_text(browser, "kestrel-moor.txt was added")
        wait_idle(browser)
        shoot(browser, shots, "3-re-added", near="was added")
        text = body_text(browser)
        assert "now searchable" in text and "Passages added by this change:" in text
        assert "kestrel-moor.txt" in library_files(browser)
        assert (library.corpus / "kestrel-moor.txt").read_bytes() == kept.read_bytes()
        assert "Traceback" not in text and "corpus" not in text.lower()


def test_a_refused_upload_shows_its_reason(browser, library, shots, tmp_path) -> None:
    docx = tmp_path / "minutes.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx.write_bytes(buf.getvalue())
    before = sorted(p.name for p in library.corpus.iterdir())
    with streamlit_server(library.corpus, library.index, shots / "streamlit.log") as url:
        browser.get(f"{url}/?page=library")
        wait_text(browser, "Add reports")
        wait_idle(browser)
        upload(browser, "Report files", docx)
        shoot(browser, shots, "1-chosen")
        click(browser, "Add to library")
        wait_text(browser, "Word .docx is not supported: save it as PDF")
        wait_idle(browser)
        shoot(browser, shots, "2-refused")
        alert = browser.find_element(by().XPATH, "//div[@data-testid='stAlertContentError']"
                                                 "[contains(., 'minutes.docx')]")
        assert "minutes.docx was not added" in alert.text
    assert sorted(p.name for p in library.corpus.iterdir()) == before


def test_compare_sorted_by_figure(browser, library, shots) -> None:
    script = ROOT / "tests" / "fixtures" / "figure_app.py"
    with streamlit_server(library.corpus, library.index, shots / "streamlit.log", script=script) as url:
        browser.get(f"{url}/?{urlencode({'page': 'compare', 'q': MEDIAN_Q})}")  # a shared link
        wait_for(browser, lambda d: d.find_elements(by().CSS_SELECTOR, "div.cqc-compare td.council"))
        wait_idle(browser)
        choose(browser, "Sort by", "Figure, highest first")
        expected = sorted(MEDIAN_DAYS, key=lambda a: -MEDIAN_DAYS[a])
        wait_for(browser, lambda d: [c.text.split("\n")[0] for c in d.find_elements(
            by().CSS_SELECTOR, "div.cqc-compare td.council")] == expected)
        figures = [c.text for c in browser.find_elements(by().CSS_SELECTOR, "div.cqc-compare td.figure")]
        assert figures == [f"{MEDIAN_DAYS[a]} days" for a in expected]
        chart = wait_for(browser, lambda d: d.find_elements(by().CSS_SELECTOR,
                                                             "[data-testid='stVegaLiteChart'] canvas, "
                                                             "[data-testid='stVegaLiteChart'] svg"))
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", chart[0])
        time.sleep(0.5)  # only for the picture: let the chart finish drawing
        shoot(browser, shots, "1-sorted-by-figure")
        # A quote links to the report view at that quote, in the same tab.
        link = browser.find_element(by().CSS_SELECTOR, "div.cqc-compare td.evidence a")
        assert "page=report" in link.get_attribute("href") and link.get_attribute("target") == "_self"
        assert "None" not in browser.find_element(by().CSS_SELECTOR, "div.cqc-compare").text
