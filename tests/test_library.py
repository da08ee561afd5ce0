"""Library work behind the Library page (``cqc_kb.library``): refusing files with a reason in
plain words, adding a batch (good files indexed, bad ones named), removing and replacing a
report, read-only mode, and the progress line. Hash embedder, small private libraries."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from cqc_kb import ingest
from cqc_kb.errors import IndexBusyError, ParseError
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.library import (DuplicateUploadError, IndexProgress, ReadOnlyError, ReportNotFoundError,
                            UploadError, add_reports, check_upload, library_rows, remove_report,
                            replace_report, safe_filename, save_upload, unsupported_reason, upload_limit_mb,
                            user_words)
from cqc_kb.store import write_lock
from cqc_kb.text import human_size

from conftest import REAL_REPORT, make_settings

NEW_REPORT = b"""Otterburn Council local authority assessment

Assessing needs

People in Otterburn waited a median of 19 days for a Care Act assessment in the otter quarter.

Supporting unpaid carers

The otter carers hub offered respite breaks to 412 unpaid carers across the district.
"""
NEW_PAGE = (b"<!doctype html><html><head><title>Wren Vale</title></head><body><h1>Wren Vale report</h1>"
            b"<h2>Safeguarding</h2><p>The wren safeguarding board met eleven times and audited every "
            b"referral about the wren day service.</p></body></html>")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PPTX = zip_bytes({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
ODT = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ZIP = zip_bytes({"reports/a.pdf": b"%PDF-1.4 ..."})


@pytest.fixture
def folder(fixture_corpus: Path, tmp_path: Path):
    """Settings for a private two-report library (text and HTML), not indexed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("kestrel-moor.txt", "ashdown-vale.html"):
        shutil.copy(fixture_corpus / name, corpus / name)
    return make_settings(corpus, tmp_path / "index")


@pytest.fixture(scope="session")
def built(fixture_corpus: Path, tmp_path_factory):
    """The two-report library indexed once per session; tests get a copy (see ``lib``)."""
    base = tmp_path_factory.mktemp("built-library")
    (base / "corpus").mkdir()
    for name in ("kestrel-moor.txt", "ashdown-vale.html"):
        shutil.copy(fixture_corpus / name, base / "corpus" / name)
    build_index(make_settings(base / "corpus", base / "index"))
    return base


@pytest.fixture
def lib(built: Path, tmp_path: Path):
    """A private copy of the two-report library with its built hash index."""
    shutil.copytree(built / "corpus", tmp_path / "corpus")
    shutil.copytree(built / "index", tmp_path / "index", ignore=shutil.ignore_patterns(".lock"))
    return make_settings(tmp_path / "corpus", tmp_path / "index")


def listing(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.iterdir())}


def indexed_names(settings) -> set[str]:
    with closing(KnowledgeBase.open(settings)) as kb:
        return {d["name"] for d in kb.store.documents()}


def top_document(settings, query: str) -> str:
    with closing(KnowledgeBase.open(settings)) as kb:
        return kb.search(query, k=1)[0].document


# --------------------------------------------------------------------------- file types

@pytest.mark.parametrize("name,data,expected", [
    ("minutes.docx", DOCX, "Word .docx is not supported: save it as PDF"),
    ("minutes.pdf", DOCX, "Word .docx is not supported"),  # content decides, not the name
    ("scores.xlsx", XLSX, "Excel .xlsx is not supported"),
    ("slides.pptx", PPTX, "PowerPoint .pptx is not supported"),
    ("notes.odt", ODT, "OpenDocument .odt is not supported"),
    ("reports.zip", ZIP, "A zip archive is not supported: unpack it"),
    ("scan.png", png_bytes(), "An image (.png) is not supported"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "An image (.jpg) is not supported"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Word .doc is not supported"),
    ("old.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "older Microsoft Office file"),
    ("letter.rtf", b"{\\rtf1\\ansi Hello}", "Rich text .rtf is not supported"),
    ("table.csv", b"council,score\nStockton,2\n", "CSV spreadsheet is not supported"),
    ("logo.svg", b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'></svg>", "(.svg)"),
])
def test_unsupported_files_are_named_in_plain_words(name, data, expected) -> None:
    assert expected in (unsupported_reason(name, data) or "")


@pytest.mark.parametrize("name,data", [
    ("report.txt", NEW_REPORT), ("page.html", NEW_PAGE), ("report.pdf", b"%PDF-1.7\n..."),
    ("MZ notes.txt", b"MZ is how the council abbreviates its zones.\n"),
])
def test_reports_are_not_refused_by_type(name, data) -> None:
    assert unsupported_reason(name, data) is None


def test_sizes_user_words_and_upload_limit(folder) -> None:
    assert human_size(12) == "12 bytes" and human_size(820_000) == "820 KB"
    assert human_size(1_430_000) == "1.43 MB" and human_size(51_200_000) == "51.2 MB"
    assert user_words("Remove it from the corpus or fix the corpus folder") == \
        "Remove it from the library or fix the library"
    assert upload_limit_mb(folder) == 50 and upload_limit_mb(folder.replace(max_file_mb=0.2)) == 1


# --------------------------------------------------------------------------- checking uploads

def test_check_upload_counts_passages_and_writes_nothing(folder) -> None:
    before = listing(folder.corpus)
    checked = check_upload(folder, "C:\\Users\\me\\Otterburn report.txt", NEW_REPORT)
    assert checked.filename == "Otterburn report.txt" and checked.name == "Otterburn-report.txt"
    assert checked.fmt == "txt" and checked.passages >= 1
    assert listing(folder.corpus) == before


@pytest.mark.parametrize("name,data,reason", [
    ("minutes.docx", DOCX, "Word .docx is not supported: save it as PDF"),
    ("empty.txt", b"  \n ", "the file is empty"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged PDF"),
    ("latin1.txt", "Caf\u00e9 report\n\nSome text.".encode("latin-1"), "UTF-8"),
])
def test_check_upload_refuses_with_a_reason(folder, name, data, reason) -> None:
    with pytest.raises(UploadError) as caught:
        check_upload(folder, name, data)
    assert caught.value.filename == name and reason in caught.value.reason
    assert "corpus" not in caught.value.reason and str(folder.corpus) not in caught.value.reason


def test_check_upload_size_limit_uses_sensible_units(folder) -> None:
    with pytest.raises(UploadError, match=r"it is 5.01 KB, over the 1 KB limit"):
        check_upload(folder.replace(max_file_mb=0.001), "big.txt", b"Title\n\n" + b"word " * 1000)


def test_check_upload_turns_any_parser_failure_into_a_reason(folder, monkeypatch) -> None:
    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("cqc_kb.library.parse_bytes", explode)
    with pytest.raises(UploadError, match="could not be read \\(RecursionError"):
        check_upload(folder, "deep.html", NEW_PAGE)


def test_duplicates_are_refused_by_content(folder) -> None:
    data = (folder.corpus / "kestrel-moor.txt").read_bytes()
    with pytest.raises(DuplicateUploadError, match="already in the library as kestrel-moor.txt"):
        check_upload(folder, "another name.txt", data)


@pytest.mark.parametrize("name,data,reason", [
    ("fake.pdf", b"just some text pretending", "not a PDF"),
    ("junk.txt", bytes(range(256)) * 40, "binary"),
])
def test_save_upload_rejects_unreadable_files(folder, name, data, reason) -> None:
    before = listing(folder.corpus)
    with pytest.raises(UploadError, match=reason):
        save_upload(folder, name, data)
    assert listing(folder.corpus) == before  # nothing written, no temp file left


def test_save_upload_never_clobbers_and_never_hides(folder) -> None:
    corpus = folder.corpus
    other = save_upload(folder, "kestrel-moor.txt", b"Other report\n\nDifferent text.\n")
    assert other.name == "kestrel-moor-2.txt"
    assert (corpus / "kestrel-moor.txt").read_bytes().startswith(b"Kestrel Moor")
    hidden = save_upload(folder, ".hidden", b"Hidden report\n\nText.\n")
    assert hidden.name == "hidden.txt"
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]


def test_save_upload_names_by_content_type(folder, fixture_corpus) -> None:
    page = b"<!doctype html><html><head><title>T</title></head><body><h1>Report</h1><p>Text here.</p></body></html>"
    assert save_upload(folder, "page.txt", page).name == "page.html"
    assert save_upload(folder, "notes.exe", b"Notes\n\nPlain text notes.\n").name == "notes-exe.txt"
    pdf = (fixture_corpus / "larchfield.pdf").read_bytes()
    assert save_upload(folder, "report", pdf).name == "report.pdf"


@pytest.mark.parametrize("name,fmt,expected", [
    ("report.pdf", "pdf", "report.pdf"),
    ("C:\\Users\\me\\Report (final).PDF", "pdf", "Report-final.pdf"),
    ("readme.md", "txt", "readme-report.md"),
    ("...", "txt", "report.txt"),
    ("page.htm", "html", "page.htm"),
])
def test_safe_filename(name, fmt, expected) -> None:
    assert safe_filename(name, fmt) == expected


def test_save_upload_writes_a_safe_name_without_indexing(lib) -> None:
    path = save_upload(lib, "../../etc/Otter <x>.TXT", NEW_REPORT)
    assert path.parent == lib.corpus and path.name == "Otter-x.txt" and path.read_bytes() == NEW_REPORT
    assert "Otter-x.txt" not in indexed_names(lib)


# --------------------------------------------------------------------------- a batch

def test_add_reports_indexes_the_good_files_and_names_each_refused_one(lib) -> None:
    kestrel = (lib.corpus / "kestrel-moor.txt").read_bytes()
    calls = []
    tracker = IndexProgress(passages=0)
    change = add_reports(lib, [("otterburn.txt", NEW_REPORT), ("minutes.docx", DOCX), ("scan.png", png_bytes()),
                               ("wren vale.html", NEW_PAGE), ("copy.txt", kestrel),
                               ("otterburn again.txt", NEW_REPORT)],
                         progress=lambda *a: calls.append(tracker.update(*a)))
    by_name = {f.filename: f for f in change.files}
    assert {n for n, f in by_name.items() if f.status == "added"} == {"otterburn.txt", "wren vale.html"}
    assert "Word .docx is not supported" in by_name["minutes.docx"].reason
    assert "image (.png)" in by_name["scan.png"].reason
    assert "already in the library as kestrel-moor.txt" in by_name["copy.txt"].reason
    assert by_name["otterburn again.txt"].reason == "it is the same file as otterburn.txt in this upload"
    assert by_name["wren vale.html"].saved_as == "wren-vale.html"
    # Saved, indexed and searchable; refused files were never written.
    assert set(listing(lib.corpus)) == {"kestrel-moor.txt", "ashdown-vale.html", "otterburn.txt", "wren-vale.html"}
    assert indexed_names(lib) == set(listing(lib.corpus))
    assert top_document(lib, "otter carers hub respite breaks") == "otterburn.txt"
    # One passage count: the batch's passages are the indexed passages of its files.
    with closing(KnowledgeBase.open(lib)) as kb:
        chunks = {d["name"]: d["chunks"] for d in kb.store.documents()}
        assert change.library_passages == kb.store.manifest.chunks
    assert change.passages == chunks["otterburn.txt"] + chunks["wren-vale.html"]
    assert by_name["otterburn.txt"].passages == chunks["otterburn.txt"]
    assert change.library_reports == 4
    assert calls and calls[-1][0] == 1.0


def test_a_file_failing_at_index_time_is_taken_out_and_named(lib, monkeypatch) -> None:
    real = ingest.parse_file

    def flaky(path, *args, **kwargs):
        if path.name == "wren-vale.html":
            raise ParseError(path.name, "is a damaged page", "Remove it from the corpus")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ingest, "parse_file", flaky)
    change = add_reports(lib, [("otterburn.txt", NEW_REPORT), ("wren vale.html", NEW_PAGE)])
    outcome = {f.filename: f for f in change.files}
    assert outcome["otterburn.txt"].status == "added"
    assert outcome["wren vale.html"].status == "not indexed"
    assert outcome["wren vale.html"].reason == "is a damaged page. Remove it from the library"
    assert "wren-vale.html" not in listing(lib.corpus)  # not left saved but unsearchable
    assert "otterburn.txt" in indexed_names(lib)


def test_a_failed_reindex_leaves_the_library_as_it_was(lib) -> None:
    before = listing(lib.corpus)
    with write_lock(lib.index):  # another writer holds the index
        with pytest.raises(IndexBusyError):
            add_reports(lib, [("otterburn.txt", NEW_REPORT)])
        with pytest.raises(IndexBusyError):
            remove_report(lib, "kestrel-moor.txt")
        with pytest.raises(IndexBusyError):
            replace_report(lib, "kestrel-moor.txt", "kestrel.txt", NEW_REPORT)
    assert listing(lib.corpus) == before
    assert indexed_names(lib) == set(before)


def test_a_batch_of_refused_files_changes_nothing(lib) -> None:
    before = listing(lib.corpus)
    change = add_reports(lib, [("a.docx", DOCX), ("b.zip", ZIP)])
    assert [f.status for f in change.files] == ["refused", "refused"]
    assert change.passages == 0 and listing(lib.corpus) == before


# --------------------------------------------------------------------------- remove and replace

def test_remove_report_deletes_the_file_and_its_passages(lib) -> None:
    assert top_document(lib, "Kestrel Moor") == "kestrel-moor.txt"
    change = remove_report(lib, "kestrel-moor.txt")
    assert [(f.filename, f.status) for f in change.files] == [("kestrel-moor.txt", "removed")]
    assert set(listing(lib.corpus)) == {"ashdown-vale.html"}
    assert indexed_names(lib) == {"ashdown-vale.html"} and change.library_reports == 1
    with closing(KnowledgeBase.open(lib)) as kb:
        assert all(h.document == "ashdown-vale.html" for h in kb.search("Kestrel Moor", k=5))


@pytest.mark.parametrize("name", ["../kestrel-moor.txt", ".hidden", "missing.txt", ""])
def test_remove_report_refuses_names_outside_the_library(folder, name) -> None:
    with pytest.raises(ReportNotFoundError):
        remove_report(folder, name)
    assert set(listing(folder.corpus)) == {"kestrel-moor.txt", "ashdown-vale.html"}


def test_remove_report_drops_an_indexed_report_whose_file_is_gone(lib) -> None:
    (lib.corpus / "kestrel-moor.txt").unlink()
    remove_report(lib, "kestrel-moor.txt")
    assert indexed_names(lib) == {"ashdown-vale.html"}


def test_replace_report_swaps_the_file_under_the_same_name(lib) -> None:
    change = replace_report(lib, "kestrel-moor.txt", "kestrel new.txt", NEW_REPORT)
    assert [(f.status, f.saved_as) for f in change.files] == [("replaced", "kestrel-moor.txt")]
    assert (lib.corpus / "kestrel-moor.txt").read_bytes() == NEW_REPORT
    assert set(listing(lib.corpus)) == {"kestrel-moor.txt", "ashdown-vale.html"}  # no leftovers
    assert top_document(lib, "otter carers hub respite breaks") == "kestrel-moor.txt"
    assert change.passages == change.files[0].passages > 0


def test_replace_report_with_another_type_renames_it(lib) -> None:
    change = replace_report(lib, "kestrel-moor.txt", "wren.html", NEW_PAGE)
    assert change.files[0].saved_as == "kestrel-moor.html"
    assert set(listing(lib.corpus)) == {"kestrel-moor.html", "ashdown-vale.html"}
    assert indexed_names(lib) == {"kestrel-moor.html", "ashdown-vale.html"}


@pytest.mark.parametrize("name,data,reason", [
    ("minutes.docx", DOCX, "Word .docx is not supported"),
    ("same.txt", None, "same as the kestrel-moor.txt already in the library"),
    ("ashdown.html", "ashdown-vale.html", "already in the library as ashdown-vale.html"),
])
def test_replace_report_refuses_a_bad_new_version(lib, name, data, reason) -> None:
    if data is None:
        data = (lib.corpus / "kestrel-moor.txt").read_bytes()
    elif isinstance(data, str):
        data = (lib.corpus / data).read_bytes()
    before = listing(lib.corpus)
    change = replace_report(lib, "kestrel-moor.txt", name, data)
    assert change.files[0].status == "refused" and reason in change.files[0].reason
    assert listing(lib.corpus) == before


def test_replace_report_keeps_the_old_version_when_the_new_one_fails_to_index(lib, monkeypatch) -> None:
    old = (lib.corpus / "kestrel-moor.txt").read_bytes()
    real = ingest.parse_file

    def flaky(path, *args, **kwargs):
        if path.read_bytes() == NEW_PAGE:
            raise ParseError(path.name, "is a damaged page", "Save it again")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ingest, "parse_file", flaky)
    change = replace_report(lib, "kestrel-moor.txt", "wren.html", NEW_PAGE)
    assert change.files[0].status == "not indexed"
    assert change.files[0].reason == "is a damaged page. Save it again; kestrel-moor.txt was kept as it was"
    assert listing(lib.corpus) == {"ashdown-vale.html": (lib.corpus / "ashdown-vale.html").read_bytes(),
                                   "kestrel-moor.txt": old}
    assert indexed_names(lib) == {"kestrel-moor.txt", "ashdown-vale.html"}


def test_read_only_library_refuses_every_change(lib) -> None:
    ro = lib.replace(read_only=True)
    before = listing(lib.corpus)
    for call in (lambda: add_reports(ro, [("otterburn.txt", NEW_REPORT)]),
                 lambda: save_upload(ro, "otterburn.txt", NEW_REPORT),
                 lambda: remove_report(ro, "kestrel-moor.txt"),
                 lambda: replace_report(ro, "kestrel-moor.txt", "k.txt", NEW_REPORT)):
        with pytest.raises(ReadOnlyError, match="read-only"):
            call()
    assert listing(lib.corpus) == before


# --------------------------------------------------------------------------- progress and rows

def test_index_progress_counts_passages_and_estimates_time_from_the_embedding_rate() -> None:
    now = [100.0]
    tracker = IndexProgress(passages=200, clock=lambda: now[0])
    assert tracker.update("parse", 1, 2)[1] == "Reading reports: 1 of 2"
    fraction, text = tracker.update("embed", 0, 1000)
    assert text == "Indexing passages of this upload: 0 of 200, estimating the time left…"
    now[0] += 10.0  # 250 texts in 10 s: 750 left take about 30 s
    fraction, text = tracker.update("embed", 250, 1000)
    assert text == "Indexing passages of this upload: 50 of 200, about 30 s left"
    assert 0.1 < fraction < 0.4
    assert tracker.update("embed", 1000, 1000) == (1.0, "Indexing passages of this upload: 200 of 200")
    unknown = IndexProgress(clock=lambda: now[0])
    unknown.update("embed", 0, 10)
    now[0] += 300.0
    assert unknown.update("embed", 1, 10)[1] == "Indexing: 10% done, about 45 min left"


def test_library_rows_speak_of_the_library_not_folders(lib) -> None:
    with closing(KnowledgeBase.open(lib)) as kb:
        docs = kb.store.documents()
    (lib.corpus / "kestrel-moor.txt").unlink()
    (lib.corpus / "notes.docx").write_bytes(DOCX)
    (lib.corpus / "ashdown-vale.html").write_bytes(NEW_PAGE)
    (lib.corpus / "otterburn.txt").write_bytes(NEW_REPORT)
    rows = {r.file: r for r in library_rows(lib, docs)}
    assert rows["ashdown-vale.html"].status == "changed" and rows["otterburn.txt"].status == "new"
    assert rows["kestrel-moor.txt"].status == "not in corpus"  # the CLI's status code is kept
    assert rows["kestrel-moor.txt"].to_dict()["Status"] == "file removed"
    assert rows["notes.docx"].to_dict()["Status"] == "cannot be read"
    assert rows["otterburn.txt"].to_dict()["Status"] == "not indexed yet"
    shown = " ".join(str(v) for r in rows.values() for v in r.to_dict().values())
    assert "corpus" not in shown.lower() and str(lib.corpus) not in shown



def test_leftovers_of_a_crashed_change_are_cleared(folder) -> None:
    import os
    import subprocess
    import sys
    import time

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    leftovers = [folder.corpus / f".previous-{dead_pid}-kestrel-moor.txt", folder.corpus / ".upload-abc.tmp"]
    kept = [folder.corpus / f".previous-{os.getpid()}-ashdown-vale.html",  # this process: still in use
            folder.corpus / ".upload-new.tmp", folder.corpus / ".hidden-notes.txt"]
    for path in leftovers + kept:
        path.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(folder.corpus / ".upload-abc.tmp", (old, old))
    add_reports(folder, [("minutes.docx", DOCX)])  # any change clears leftovers first
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in kept)


def test_check_upload_applies_the_indexers_reading_limits(folder) -> None:
    with pytest.raises(UploadError, match="over the 1-passage limit for one file"):
        check_upload(folder.replace(max_passages=1), "otterburn.txt", NEW_REPORT * 40)


def test_a_file_the_last_reindex_could_not_read_is_not_listed_as_new(tmp_path, capsys) -> None:
    from cqc_kb.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL_REPORT, corpus / REAL_REPORT.name)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    settings = make_settings(corpus, tmp_path / "index")
    first = build_index(settings)
    assert [name for name, _ in first.skipped] == ["broken.pdf"]
    rows = {r.file: r for r in library_rows(settings, KnowledgeBase.open(settings).store.documents())}
    assert rows["broken.pdf"].status == "cannot be indexed"
    assert "PDF" in rows["broken.pdf"].note
    args = ["status", "--json", "--corpus", str(corpus), "--index", str(settings.index), "--model", "hash"]
    assert main(args) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["new"] == [] and status["up_to_date"] is True
    assert [u["file"] for u in status["unsupported"]] == ["broken.pdf"]
    # New content under the same name is new again: the recorded failure was for other bytes.
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00other" * 50)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["new"] == ["broken.pdf"]
