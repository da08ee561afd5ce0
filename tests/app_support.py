"""Helpers shared by the Streamlit AppTest tests: open a page by its URL, check that nothing
failed on it, and read the HTML blocks and links it rendered."""

from __future__ import annotations

import html
import re
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from cqc_kb.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def point_app_at(monkeypatch, corpus: Path, index: Path) -> None:
    """The app started after this reads ``corpus`` and ``index`` with the hash embedder."""
    monkeypatch.setenv("CQC_KB_CORPUS", str(corpus))
    monkeypatch.setenv("CQC_KB_INDEX", str(index))
    monkeypatch.setenv("CQC_KB_MODEL", "hash")


def open_kb(settings) -> closing:
    """``with open_kb(settings) as kb:`` opens a KnowledgeBase and closes it after."""
    return closing(KnowledgeBase.open(settings))


def assert_clean(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_page(page: str, script: str = APP, **params: str) -> AppTest:
    """Run the app at ``?page=PAGE&...`` as a shared link would open it."""
    at = AppTest.from_file(script, default_timeout=60)
    at.query_params["page"] = page
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_clean(at)
    return at


def block(at: AppTest, cls: str) -> str:
    """The first HTML block the page rendered with ``<div class="CLS"``."""
    return next(m.value for m in at.markdown if m.value.startswith(f'<div class="{cls}"'))


def links(fragment: str) -> list[dict[str, list[str]]]:
    """The query parameters of every link in an HTML fragment."""
    return [parse_qs(urlsplit(html.unescape(h)).query) for h in re.findall(r'href="([^"]+)"', fragment)]
