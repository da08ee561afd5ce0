"""Shared fixtures: a temporary corpus (the real report plus the fictional fixtures in txt, PDF
and HTML) indexed with the tiny deterministic ``hash`` embedder, so unit tests stay fast."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_REPORT = ROOT / "corpus" / "stockton-on-tees.txt"
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from build_fixtures import FIXTURES, build_earlier_assessments, build_fixture_corpus  # noqa: E402

from cqc_kb.settings import Settings, load_settings  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No CQC_KB_* variable from the developer's shell leaks into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("CQC_KB_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real report + three fictional reports (txt, pdf, html), built once per session."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(REAL_REPORT, corpus / REAL_REPORT.name)
    build_fixture_corpus(corpus)
    return corpus


def make_settings(corpus: Path, index: Path, **changes) -> Settings:
    """Settings for a test index with the hash embedder."""
    return load_settings(env={}, corpus=corpus, index=index, model="hash", **changes)


@pytest.fixture(scope="session")
def hash_settings(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A built index over ``fixture_corpus``; tests must not modify it."""
    from cqc_kb.kb import build_index

    settings = make_settings(fixture_corpus, tmp_path_factory.mktemp("index"))
    build_index(settings)
    return settings


def build_reassessed_library(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory,
                             name: str) -> Settings:
    """The fixture library plus an earlier assessment of a council (older PDF beside the newer
    HTML), indexed with the hash embedder."""
    from cqc_kb.kb import build_index

    corpus = tmp_path_factory.mktemp(name)
    for path in fixture_corpus.iterdir():
        shutil.copy(path, corpus / path.name)
    build_earlier_assessments(corpus)
    settings = make_settings(corpus, tmp_path_factory.mktemp(f"{name}-index"))
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def hash_kb(hash_settings: Settings):
    from cqc_kb.kb import KnowledgeBase

    kb = KnowledgeBase.open(hash_settings)
    yield kb
    kb.close()


__all__ = ["FIXTURES", "REAL_REPORT", "make_settings"]
