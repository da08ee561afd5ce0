"""Regenerate the README's screenshots: one of each page of the running app.

Builds a temporary index over the shipped report and the three fictional fixture reports,
starts ``streamlit run app.py`` on it, opens each page in headless Chromium at 1440 x 900 and
saves ``docs/screenshots/<page>.png``. Needs Debian's ``chromium`` and ``chromium-driver`` and
selenium (``pip install '.[test]'``).

    python scripts/screenshots.py                 # the default model (about a minute to index)
    python scripts/screenshots.py --model hash    # fast, but answers from a toy embedder
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "tests" / "fixtures")]

from browser_support import chromium, have_chromium, streamlit_server  # noqa: E402
from build_fixtures import build_fixture_corpus  # noqa: E402

from cqc_kb.kb import build_index  # noqa: E402
from cqc_kb.settings import load_settings  # noqa: E402
from cqc_kb.store import Store  # noqa: E402

QUESTION = "What was the median waiting time for a Care Act assessment?"
REPORT = "stockton-on-tees.txt"
QUOTE = "the median waiting time was 28 days"
WIDTH, HEIGHT = 1440, 900


def pages(settings) -> dict[str, str]:
    """Page name -> the query string that opens it, as a user's shared link would."""
    store = Store.open(settings)
    try:
        text = store.document_text(REPORT)
    finally:
        store.close()
    start = text.find(QUOTE)
    report = {"page": "report", "doc": REPORT}
    if start >= 0:
        report.update(start=start, end=start + len(QUOTE))
    return {"ask": urlencode({"page": "ask", "q": QUESTION}),
            "compare": urlencode({"page": "compare", "q": QUESTION}),
            "scores": urlencode({"page": "scores"}),
            "library": urlencode({"page": "library"}),
            "report": urlencode(report)}


#: What each page shows once it has answered: the screenshot waits for it.
READY = {"ask": "div.cqc-answer, [data-testid='stAlert']", "compare": "div.cqc-compare",
         "scores": "div.cqc-heat", "library": "div.cqc-library", "report": "mark"}


def ready(driver, selector: str) -> bool:
    """The script has finished running and the page's own content is drawn."""
    from selenium.webdriver.common.by import By

    busy = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget'], [data-testid='stSpinner']")
    return not busy and bool(driver.find_elements(By.CSS_SELECTOR, selector))


#: Pages whose interesting part starts below their form: scrolled to this element first.
SCROLL_TO = {"compare": "div.cqc-compare"}


def shoot(driver, url: str, out: Path, wait_for: str, scroll_to: str | None = None, timeout: float = 300) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    time.sleep(1.0)
    WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: ready(d, wait_for))
    time.sleep(1.5)  # expanders, charts and the scroll to a quote finish drawing
    if scroll_to:
        targets = driver.find_elements(By.CSS_SELECTOR, scroll_to)
        if targets:
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -160);",
                                  targets[0])
            time.sleep(0.5)
    driver.save_screenshot(str(out))
    try:  # a palette PNG is a fraction of the size and looks the same for a flat UI
        from PIL import Image

        with Image.open(out) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    except ImportError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="embedding model (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    args = parser.parse_args(argv)
    if not have_chromium():
        print("needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)",
              file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cqc-kb-shots-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        shutil.copy(ROOT / "corpus" / REPORT, corpus / REPORT)
        build_fixture_corpus(corpus)
        settings = load_settings(env={}, corpus=corpus, index=work / "index", model=args.model)
        print(f"indexing {len(list(corpus.iterdir()))} reports with {args.model}…", file=sys.stderr)
        build_index(settings)
        links = pages(settings)
        with streamlit_server(corpus, settings.index, work / "streamlit.log", model=args.model) as url, \
                chromium(work / "chrome", WIDTH, HEIGHT) as driver:
            # The window size includes browser chrome; pin the page's own viewport to 1440 x 900.
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
            for name, query in links.items():
                out = args.out / f"{name}.png"
                shoot(driver, f"{url}/?{query}", out, READY[name], SCROLL_TO.get(name))
                print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: "
                      f"{out.stat().st_size // 1024} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
