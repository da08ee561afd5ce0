"""End to end in a real browser: `streamlit run app.py` driven by headless Chromium.

The index is pre-built with the ``hash`` embedder (over the real report alone, or over the
library of four councils in txt, PDF and HTML), so the tests are fast. Skipped when Debian's
chromium or chromedriver is not installed. Screenshots go to ``$CQC_KB_SHOTS`` (or the test's
temporary folder); each test prints where.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from cqc_kb.kb import build_index

from cqc_kb_app.common import page_link

from browser_support import chromium, have_chromium, rerun, streamlit_server, wait_loaded, wait_until
from conftest import REAL_REPORT, make_settings

pytestmark = pytest.mark.browser

QUESTION = "What was the median waiting time for a Care Act assessment?"
EXPECTED = "median waiting time was 28 days"


@pytest.fixture
def server(tmp_path: Path):
    """A Streamlit server on a free local port over a pre-built hash index of the real report;
    yields its URL."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus / REAL_REPORT.name)
    yield from serve(corpus, tmp_path)


@pytest.fixture(scope="module")
def library_server(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The same over four councils' reports (txt, PDF, HTML), shared by this module's tests
    (they only read); yields its URL."""
    base = tmp_path_factory.mktemp("library-server")
    corpus = base / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    yield from serve(corpus, base)


def serve(corpus: Path, tmp_path: Path, **settings_env: str):
    """Build a hash index over ``corpus`` and run the app on it; yields its URL."""
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    with streamlit_server(corpus, settings.index, tmp_path / "streamlit.log", **settings_env) as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path):
    if not have_chromium():
        pytest.skip("needs Debian's headless Chromium: /usr/bin/chromium and /usr/bin/chromedriver "
                    "(apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    with chromium(tmp_path / "chrome", 1366, 900) as driver:
        yield driver


def test_ask_in_the_browser_shows_the_cited_quote(browser, server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC

    browser.get(server)
    box = wait_loaded(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your question']")))
    with rerun(browser):
        box.click()
        box.send_keys(QUESTION)
        box.send_keys(Keys.ENTER)
    mark = wait_loaded(browser, EC.visibility_of_element_located(
        (By.XPATH, f"//div[contains(@class,'cqc-quote')]//mark[contains(., '{EXPECTED}')]")))
    assert EXPECTED in mark.text
    answer = wait_until(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "div.cqc-answer")))
    assert EXPECTED in answer.text and "[1]" in answer.text
    wait_text(browser, "Stockton-on-Tees Borough Council")
    assert "Traceback" not in body_text(browser)
    time.sleep(0.5)  # only for the picture: let the expanders finish animating
    shot = tmp_path / "ask.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")


# --------------------------------------------------------------------------- following citations, sharing

LARCHFIELD = "Larchfield Unitary Council"
DESKTOP, PHONE = (1440, 900), (390, 844)
#: Read when the module loads: the test fixtures clear every CQC_KB_* variable.
SHOTS_ROOT = os.environ.get("CQC_KB_SHOTS")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where this test's screenshots go: ``$CQC_KB_SHOTS/<test>`` or the test's temporary folder."""
    test = os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0]
    folder = Path(SHOTS_ROOT) / test if SHOTS_ROOT else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


def snap(browser, folder: Path, name: str) -> None:
    time.sleep(0.6)  # only for the picture: let expanders and scrolling settle
    assert browser.save_screenshot(str(folder / f"{name}.png"))


def in_view(browser, element) -> bool:
    """True when the element's top is inside the window (it was scrolled to)."""
    return browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;", element)


def body_text(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.TAG_NAME, "body").text


def wait_text(browser, text: str) -> None:
    """Wait until the page shows ``text`` (an element can be drawn just after its run finished)."""
    wait_until(browser, lambda d: text in body_text(d), message=f"the page never showed {text!r}")


def wait_answer(browser, text: str):
    """The answer that contains ``text``, read once the script run has finished."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    return wait_loaded(browser, EC.visibility_of_element_located(
        (By.XPATH, f"//div[contains(@class,'cqc-answer')][contains(., '{text}')]")))


def test_citation_marker_leads_to_its_card_and_the_report(browser, library_server, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    for size, tag in ((DESKTOP, "1440"), (PHONE, "390")):
        browser.set_window_size(*size)
        browser.get(library_server + page_link("ask", q=QUESTION, council="Stockton-on-Tees Borough Council"))
        wait_answer(browser, EXPECTED)
        marker = wait_until(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "div.cqc-answer a.cqc-cite")))
        assert marker.text == "[1]"
        assert EXPECTED in marker.get_attribute("title")  # the hover preview is the quote
        snap(browser, shots, f"ask-{tag}")
        marker.click()  # a jump within the page: no script run
        wait_until(browser, lambda d: in_view(d, d.find_element(By.ID, "src-1")))
        assert "Stockton-on-Tees Borough Council" in browser.find_element(By.ID, "src-1").text
        snap(browser, shots, f"source-card-{tag}")
        quote = wait_until(browser, EC.presence_of_element_located(
            (By.XPATH, "//div[contains(@class,'cqc-quote')]//mark"))).text
        wait_until(browser, EC.element_to_be_clickable((By.XPATH, "//button[contains(., 'Open in report')]"))).click()
        mark = wait_loaded(browser, EC.visibility_of_element_located((By.ID, "cqc-quote")))
        assert " ".join(mark.text.split()) == " ".join(quote.split())
        assert "page=report" in browser.current_url and "doc=stockton-on-tees.txt" in browser.current_url
        wait_until(browser, lambda d: in_view(d, d.find_element(By.ID, "cqc-quote")))
        assert "Traceback" not in body_text(browser)
        snap(browser, shots, f"report-{tag}")


def test_pdf_citation_opens_its_page_in_the_report(browser, library_server, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.set_window_size(*DESKTOP)
    browser.get(library_server + page_link("ask", q=QUESTION, council=LARCHFIELD))
    wait_answer(browser, "11 days")
    wait_until(browser, EC.element_to_be_clickable((By.XPATH, "//button[contains(., 'Open in report')]"))).click()
    mark = wait_loaded(browser, EC.visibility_of_element_located((By.ID, "cqc-quote")))
    assert "median waiting time was 11 days" in " ".join(mark.text.split())
    wait_text(browser, "of the PDF")
    wait_until(browser, lambda d: in_view(d, d.find_element(By.ID, "cqc-quote")))
    snap(browser, shots, "report-pdf-page-1440")


def test_shared_url_restores_question_and_filters(browser, library_server, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC

    for size, tag in ((DESKTOP, "1440"), (PHONE, "390")):
        browser.set_window_size(*size)
        browser.get(library_server + page_link("ask", q=QUESTION, council=LARCHFIELD))
        answer = wait_answer(browser, "11 days")
        assert "28 days" not in answer.text  # Stockton's figure: the filter is in force
        box = wait_until(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "input[aria-label='Your question']")))
        assert box.get_attribute("value") == QUESTION
        wait_text(browser, f"Filtered to Council: {LARCHFIELD}.")
        snap(browser, shots, f"shared-url-{tag}")
    # The filter widget holds the council (the sidebar is open on a desktop screen).
    browser.set_window_size(*DESKTOP)
    browser.get(library_server + page_link("ask", q=QUESTION, council=LARCHFIELD))
    wait_answer(browser, "11 days")
    wait_until(browser, EC.visibility_of_element_located(
        (By.CSS_SELECTOR, "section[data-testid='stSidebar'] [data-testid='stMultiSelect']")))
    wait_until(browser, lambda d: LARCHFIELD in d.find_element(By.CSS_SELECTOR, "section[data-testid='stSidebar']").text,
               message="the sidebar's Council filter does not hold the council")
    # Asking another question changes the address, so it can be shared in turn.
    box = wait_until(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your question']")))
    with rerun(browser):
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("How are unpaid carers supported?", Keys.ENTER)
    wait_until(browser, lambda d: "unpaid+carers" in d.current_url)
    assert "council=Larchfield+Unitary+Council" in browser.current_url


def test_heat_map_cell_opens_the_statements_evidence(browser, library_server, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.set_window_size(*DESKTOP)
    browser.get(library_server + page_link("scores"))
    cell = wait_loaded(browser, EC.element_to_be_clickable(
        (By.CSS_SELECTOR, "div.cqc-heat a[title^='Stockton-on-Tees Borough Council: Safeguarding']")))
    snap(browser, shots, "scores-1440")
    cell.click()  # a link: the app loads again
    mark = wait_loaded(browser, EC.visibility_of_element_located((By.ID, "cqc-quote")))
    assert mark.text == "Score: 3" and len(browser.window_handles) == 1
    wait_text(browser, "Safeguarding: score 3 of 4")
    wait_until(browser, lambda d: in_view(d, d.find_element(By.ID, "cqc-quote")))
    snap(browser, shots, "statement-evidence-1440")
    # The whole report, and its contents jump within the page. The whole report opens scrolled to
    # the quote too (the app notes each scroll it made in window.cqcScrolled); a jump made before
    # that scroll would be undone by it.
    toggle = wait_until(browser, EC.element_to_be_clickable((By.XPATH, "//label[contains(., 'Show the whole report')]")))
    scrolled = browser.execute_script("return window.cqcScrolled")
    with rerun(browser):
        toggle.click()
    wait_until(browser, lambda d: "cqc-h" in d.find_element(By.CSS_SELECTOR, "div.cqc-report").get_attribute("innerHTML")
               and d.find_elements(By.XPATH, "//div[contains(@class,'cqc-toc')]//a[starts-with(@href,'#')]"))
    wait_until(browser, lambda d: d.execute_script("return window.cqcScrolled") not in (None, scrolled),
               message="the whole report did not scroll to the quote")
    link = wait_until(browser, EC.element_to_be_clickable(
        (By.XPATH, "//div[contains(@class,'cqc-toc')]//a[starts-with(@href,'#')][.='Demographics']")))
    ident = link.get_attribute("href").split("#")[1]
    link.click()
    wait_until(browser, lambda d: in_view(d, d.find_element(By.ID, ident)))
    assert browser.find_element(By.ID, ident).text == "Demographics"
    snap(browser, shots, "whole-report-contents-1440")


@pytest.fixture
def guarded_server(tmp_path: Path):
    """The real report behind a shared password; yields its URL."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus / REAL_REPORT.name)
    yield from serve(corpus, tmp_path, password="open sesame")


def test_password_is_asked_once_and_survives_links(browser, guarded_server, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC

    browser.set_window_size(*DESKTOP)
    browser.get(guarded_server + page_link("scores"))
    box = wait_loaded(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "input[type='password']")))
    assert "Published scores" not in body_text(browser)
    snap(browser, shots, "password-1440")
    with rerun(browser):
        box.send_keys("wrong", Keys.ENTER)
    wait_until(browser, EC.visibility_of_element_located((By.XPATH, "//*[contains(., 'That password is not right')]")))
    box = browser.find_element(By.CSS_SELECTOR, "input[type='password']")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("open sesame", Keys.ENTER)
    cell = wait_loaded(browser, EC.element_to_be_clickable(
        (By.CSS_SELECTOR, "div.cqc-heat a[title^='Stockton-on-Tees Borough Council: Safeguarding']")))
    # The page script that stores the cookie runs as its element is drawn.
    cookie = wait_until(browser, lambda d: d.get_cookie("cqc_kb_signed_in"), message="no sign-in cookie")
    assert "sesame" not in cookie["value"]
    cell.click()  # a link: the app reloads, and the cookie lets the visitor straight in
    mark = wait_loaded(browser, EC.visibility_of_element_located((By.ID, "cqc-quote")))
    assert mark.text == "Score: 3"
    assert not browser.find_elements(By.CSS_SELECTOR, "input[type='password']")
