"""Fault injection on the input side: hostile, damaged, odd and huge corpus files.

Every case generates its own files in a temporary corpus beside the four good reports, runs the
CLI in-process, and checks that the bad file is named with its reason and fix, that nothing
prints a traceback, that the good reports still answer with exact citations, and that the next
plain reindex reports the skip again without reading the file or loading the model.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zlib
from pathlib import Path

import pytest

from cqc_kb import ingest
from cqc_kb.cli import EXIT_SKIPPED, main
from cqc_kb.errors import ParseError
from cqc_kb.ingest import FAILURES_FILE, corpus_files
from cqc_kb.kb import KnowledgeBase
from cqc_kb.parse import Limits, _drop_running_lines, parse_bytes

from conftest import make_settings


# --------------------------------------------------------------------------- input builders

def pdf_with_stream(content: bytes, compress: bool = True) -> bytes:
    """A one-page PDF whose page content stream is ``content``, built byte by byte."""
    stream = zlib.compress(content, 9) if compress else content
    filt = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s>>\nstream\n" % (len(stream), filt) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def many_page_pdf(pages: int) -> bytes:
    """A PDF with a distinct line of body text on every page, a running header and footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for n in range(1, pages + 1):
        c.drawString(60, 800, "Thornbury Council: local authority assessment")
        c.drawString(60, 700, f"Finding {n}: the council reviewed {n * 3} care plans with {n + 7} families.")
        c.drawString(60, 40, f"Thornbury Council local authority assessment - page {n}")
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


GOOD_TEXT = "Thornbury notes\n\nThe carers' hub answered 412 calls about respite in the year.\n"

#: file name -> (bytes, words the reason must contain); every one of these must be skipped.
HOSTILE: dict[str, tuple[bytes, str]] = {
    "bomb.pdf": (pdf_with_stream(b" " * 3_000_000), "decompression"),
    "locked.pdf": (encrypted_pdf(), "password-protected"),
    "junk.txt": (bytes(range(256)) * 64, "binary"),
    "empty.txt": (b"", "is empty"),
    "latin1.txt": ("Caf\u00e9 r\u00e9sum\u00e9 of the report".encode("cp1252"), "not valid UTF-8"),
    "truncated.pdf": (pdf_with_stream(b"BT ET", compress=False)[:-60], "damaged PDF"),
    "notes.docx": (b"PK\x03\x04 not really word", "unsupported file type"),
}

#: file name -> (bytes, a phrase that must then be searchable): odd but good files.
ODD_BUT_GOOD: dict[str, tuple[bytes, str]] = {
    "utf16-bom.txt": (("\ufeff" + GOOD_TEXT.replace("412", "413")).encode("utf-16-le"), "413 calls"),
    "utf16-nobom.txt": (GOOD_TEXT.replace("412", "414").encode("utf-16-le"), "414 calls"),
    "utf8-bom.txt": (b"\xef\xbb\xbf" + GOOD_TEXT.replace("412", "415").encode(), "415 calls"),
    "report with spaces.txt": (GOOD_TEXT.replace("412", "416").encode(), "416 calls"),
    "\u00fcn\u00efc\u00f6de r\u00e9port.txt": (GOOD_TEXT.replace("412", "417").encode(), "417 calls"),
    "-leading-dash.txt": (GOOD_TEXT.replace("412", "418").encode(), "418 calls"),
    "deep.html": (b"<html><body><main><h1>Deep page</h1>" + b"<div>" * 10_000
                  + b"<p>The carers' hub answered 419 calls about respite.</p>" + b"</div>" * 10_000
                  + b"</main></body></html>", "419 calls"),
    "evil.html": (b"<html><body><main><h1>Evil page</h1><script>alert('x')</script>"
                  b"<p onclick=\"alert(1)\">The carers' hub answered 420 calls <img src=x onerror=alert(2)>"
                  b"about respite.</p><iframe src=javascript:alert(3)></iframe></main></body></html>", "420 calls"),
    "thornbury.pdf": (many_page_pdf(40), "reviewed 60 care plans"),
}


@pytest.fixture(scope="module")
def hostile_corpus(fixture_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four good reports plus every hostile and odd file, a folder and an outward link."""
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    for path in fixture_corpus.iterdir():
        shutil.copy(path, corpus / path.name)
    for name, (data, _) in {**HOSTILE, **ODD_BUT_GOOD}.items():
        (corpus / name).write_bytes(data)
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("Outside secret: the password is swordfish.\n")
    (corpus / "secret.txt").symlink_to(outside)
    (corpus / "archive").mkdir()
    (corpus / "archive" / "old.txt").write_text("An archived note that is never read.\n")
    return corpus


EXPECTED_SKIPS = {**{name: why for name, (_, why) in HOSTILE.items()},
                  "secret.txt": "outside the corpus folder", "archive": "is a folder"}


@pytest.fixture(scope="module")
def hostile_run(hostile_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """One reindex through the CLI over the hostile corpus: (settings, exit code, out, err)."""
    index = tmp_path_factory.mktemp("hostile-index")
    settings = make_settings(hostile_corpus, index, max_decompressed_mb=1.0)
    mp = pytest.MonkeyPatch()
    mp.setenv("CQC_KB_MAX_DECOMPRESSED_MB", "1")
    out, err = io.StringIO(), io.StringIO()
    mp.setattr("sys.stdout", out)
    mp.setattr("sys.stderr", err)
    try:
        code = main(["reindex", "--json", "--corpus", str(hostile_corpus), "--index", str(index), "--model", "hash"])
    finally:
        mp.undo()
    return settings, code, out.getvalue(), err.getvalue()


def test_each_bad_file_is_named_with_its_reason_and_the_rest_is_indexed(hostile_run) -> None:
    settings, code, out, err = hostile_run
    assert code == EXIT_SKIPPED
    assert "Traceback" not in out + err
    result = json.loads(out)
    reasons = {s["file"]: s["reason"] for s in result["skipped"]}
    assert set(reasons) == set(EXPECTED_SKIPS)
    for name, why in EXPECTED_SKIPS.items():
        assert why in reasons[name], (name, reasons[name])
        assert f"skipped {name!r}: " in err
    assert set(result["added"]) >= {*ODD_BUT_GOOD, "larchfield.pdf", "ashdown-vale.html", "kestrel-moor.txt",
                                    "stockton-on-tees.txt"}


def test_every_reason_says_what_to_do(hostile_run) -> None:
    _, _, out, _ = hostile_run
    for skip in json.loads(out)["skipped"]:
        reason = skip["reason"]
        # "<what is wrong>. <what to do>" or "<what is wrong>; <what to do>"
        assert any(verb in reason.lower() for verb in
                   ("re-", "remove", "replace", "copy", "move", "add ", "save", "raise", "split", "check")), reason


def test_good_files_answer_with_exact_citations(hostile_run) -> None:
    settings = hostile_run[0]
    kb = KnowledgeBase.open(settings)
    try:
        for name, (_, phrase) in ODD_BUT_GOOD.items():
            hits = kb.search(phrase, k=20)
            hit = next((h for h in hits if h.document == name), None)
            assert hit is not None and phrase in hit.text, name
            assert kb.store.document_text(name)[hit.start:hit.end] == hit.text
        answer = kb.ask("What was the median waiting time for a Care Act assessment?",
                        k=None)
        assert answer.citations
        for c in answer.citations:
            assert kb.store.document_text(c.document)[c.start:c.end] == c.quote
        # Nothing from outside the corpus, from a sub-folder, or from scripts is ever stored.
        assert not any(h.document == "secret.txt" or "swordfish" in h.text for h in kb.search("password swordfish"))
        assert not any("archived note" in h.text for h in kb.search("archived note never read"))
        evil = kb.store.document_text("evil.html")
        assert "alert" not in evil and "<" not in evil and "onerror" not in evil
        assert not kb.store.document_text("utf8-bom.txt").startswith("\ufeff")
    finally:
        kb.close()


def test_second_reindex_reports_skips_without_reading_or_loading_the_model(hostile_run, monkeypatch, capsys) -> None:
    settings, _, first_out, _ = hostile_run
    recorded = json.loads((settings.index / FAILURES_FILE).read_text())["files"]
    assert set(recorded) == {"bomb.pdf", "locked.pdf", "junk.txt", "empty.txt", "latin1.txt", "truncated.pdf"}

    def refuse(*args, **kwargs):
        raise AssertionError("the model must not be loaded when nothing changed")

    def no_parse(path, *args, **kwargs):
        raise AssertionError(f"{path.name} was parsed again")

    monkeypatch.setenv("CQC_KB_MAX_DECOMPRESSED_MB", "1")
    monkeypatch.setattr(ingest, "load_embedder", refuse)
    monkeypatch.setattr(ingest, "parse_file", no_parse)
    code = main(["reindex", "--json", "--corpus", str(settings.corpus), "--index", str(settings.index),
                 "--model", "hash"])
    captured = capsys.readouterr()
    assert code == EXIT_SKIPPED and "Traceback" not in captured.out + captured.err
    again = json.loads(captured.out)
    assert {s["file"]: s["reason"] for s in again["skipped"]} == \
        {s["file"]: s["reason"] for s in json.loads(first_out)["skipped"]}
    assert not again["added"] and not again["updated"] and not again["removed"]


def test_a_fixed_file_is_retried_and_a_changed_limit_retries_all(tmp_path: Path, monkeypatch) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT)
    (corpus / "later.txt").write_bytes("Caf\u00e9 notes".encode("cp1252"))
    settings = make_settings(corpus, index)
    first = ingest.reindex(settings)
    assert [n for n, _ in first.skipped] == ["later.txt"]
    (corpus / "later.txt").write_text("Later notes\n\nThe hub answered 500 calls.\n")
    second = ingest.reindex(settings)
    assert second.added == ["later.txt"] and not second.skipped
    assert not (index / FAILURES_FILE).exists()

    (corpus / "big.html").write_bytes(ODD_BUT_GOOD["deep.html"][0])
    small = make_settings(corpus, index, parse_seconds=0.0)
    assert "took longer than" in dict(ingest.reindex(small).skipped)["big.html"]
    assert "big.html" in ingest.load_failures(small)
    # Another limit is another context: the file is read again, not refused from the record.
    assert ingest.reindex(settings).added == ["big.html"]


def test_size_limit_skips_before_reading_and_prints_sensible_sizes(tmp_path: Path, monkeypatch) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT)
    (corpus / "big.txt").write_text(GOOD_TEXT * 200)
    settings = make_settings(corpus, index, max_file_mb=0.01)
    result = ingest.reindex(settings)
    reason = dict(result.skipped)["big.txt"]
    assert "over the 10 KB limit" in reason and "0.0 MB" not in reason
    monkeypatch.setattr(ingest, "load_embedder", lambda *a, **k: pytest.fail("model loaded"))
    assert "big.txt" in dict(ingest.reindex(settings).skipped)


def test_page_and_passage_caps(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT)
    (corpus / "thornbury.pdf").write_bytes(ODD_BUT_GOOD["thornbury.pdf"][0])
    (corpus / "long.txt").write_text("\n\n".join(f"Paragraph {i} says the hub took {i} calls." for i in range(400)))
    settings = make_settings(corpus, index, max_pages=10, max_passages=20)
    skipped = dict(ingest.reindex(settings).skipped)
    assert "has 40 pages, over the 10-page limit" in skipped["thornbury.pdf"]
    assert "CQC_KB_MAX_PAGES" in skipped["thornbury.pdf"]
    assert "passage limit" in skipped["long.txt"] and "CQC_KB_MAX_PASSAGES" in skipped["long.txt"]


def test_many_page_pdf_with_text_on_every_page_is_never_sent_to_ocr() -> None:
    doc = parse_bytes(ODD_BUT_GOOD["thornbury.pdf"][0], "thornbury.pdf")
    assert doc.pages == 40
    assert {b.page for b in doc.blocks} == set(range(1, 41))
    assert "Finding 40: the council reviewed 120 care plans" in doc.text
    assert "- page" not in doc.text  # the running footer is gone from the stored text


def test_running_line_detector_never_empties_a_page() -> None:
    # 20,000 pages of one line each that differ only in their numbers: body text, not furniture.
    pages = [[f"Finding {n}: the council reviewed {n} plans."] for n in range(20_000)]
    assert _drop_running_lines(pages) == pages
    # Furniture goes, but only at the same place, short lines, at most two at each end.
    body = "A long line of body text that runs to the right margin of the page like prose does " * 2
    pages = [["Council report", body, f"Page {n}"] for n in range(10)]
    assert _drop_running_lines(pages) == [[body]] * 10


def test_symlink_to_a_file_inside_the_corpus_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text(GOOD_TEXT)
    (tmp_path / "alias.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    files, skipped = corpus_files(tmp_path)
    assert [p.name for p in files] == ["alias.txt", "real.txt"]
    assert skipped == [("dangling.txt", "is a broken link; copy the report itself into the corpus folder")]


def test_fifo_is_reported_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    files, skipped = corpus_files(tmp_path)
    assert not files and skipped[0][0] == "pipe.txt" and "not a regular file" in skipped[0][1]


@pytest.mark.parametrize("data,name", [
    ("\ufeffReport\n\nText in UTF-16 with its mark.\n".encode("utf-16-be"), "be.txt"),
    ("Report\n\nText in UTF-32.\n".encode("utf-32"), "wide.txt"),
    ("<html><body><main><h1>Report</h1><p>HTML in UTF-16.</p></main></body></html>".encode("utf-16"), "page.html"),
])
def test_unicode_encodings_are_decoded(data: bytes, name: str) -> None:
    doc = parse_bytes(data, name)
    assert doc.text.startswith("Report") and "UTF-" in doc.text


def test_decompression_limit_is_a_setting() -> None:
    bomb = HOSTILE["bomb.pdf"][0]
    with pytest.raises(ParseError, match="decompression limit"):
        parse_bytes(bomb, "bomb.pdf", limits=Limits(max_decompressed_bytes=1_000_000))
    # Under a higher limit the same file is just a blank page: refused, but as "no text", not a bomb.
    with pytest.raises(ParseError, match="no text layer|no readable text"):
        parse_bytes(bomb, "bomb.pdf", limits=Limits(max_decompressed_bytes=10_000_000))


def test_pdf_reader_warnings_are_logged_and_quiet_silences_them(tmp_path: Path, capsys) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT)
    (corpus / "noeof.pdf").write_bytes(pdf_with_stream(b"BT /F1 12 Tf 72 720 Td (The hub took 7 calls.) Tj ET")
                                       .replace(b"%%EOF", b""))
    args = ["reindex", "--corpus", str(corpus), "--index", str(index), "--model", "hash"]
    main(args + ["--full"])
    loud = capsys.readouterr().err
    assert "noeof.pdf: EOF marker not found (pypdf)" in loud
    main(args + ["--full", "--quiet"])
    assert "pypdf" not in capsys.readouterr().err


def test_any_other_error_in_one_file_skips_only_that_file(tmp_path: Path, monkeypatch) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD_TEXT)
    (corpus / "cursed.txt").write_text("Cursed notes\n\nThis one breaks the analyser.\n")
    real_analyse = ingest.analyse

    def analyse(doc):
        if doc.name == "cursed.txt":
            raise RecursionError("maximum recursion depth exceeded")
        return real_analyse(doc)

    monkeypatch.setattr(ingest, "analyse", analyse)
    result = ingest.reindex(make_settings(corpus, index))
    assert result.added == ["good.txt"]
    assert dict(result.skipped)["cursed.txt"].startswith("could not be read (RecursionError")


@pytest.mark.parametrize("error,reason", [(RecursionError, "nested too deeply"), (MemoryError, "more memory"),
                                          (KeyError, "could not be read (KeyError")])
def test_parser_errors_become_parse_errors(monkeypatch, error, reason) -> None:
    def boom(*args, **kwargs):
        raise error("x")

    monkeypatch.setattr("cqc_kb.parse._parse_text", boom)
    with pytest.raises(ParseError, match=reason.replace("(", r"\(")):
        parse_bytes(GOOD_TEXT.encode(), "notes.txt")


def test_reader_processes_pass_their_warnings_on_and_quiet_silences_them(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CQC_KB_WORKERS", "2")
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for n in range(ingest.PARALLEL_MIN_FILES):
        (corpus / f"good-{n}.txt").write_text(GOOD_TEXT.replace("412", str(500 + n)))
    (corpus / "noeof.pdf").write_bytes(pdf_with_stream(b"BT /F1 12 Tf 72 720 Td (The hub took 7 calls.) Tj ET")
                                       .replace(b"%%EOF", b""))
    args = ["reindex", "--corpus", str(corpus), "--index", str(index), "--model", "hash"]
    main(args + ["--full"])
    assert "noeof.pdf: EOF marker not found (pypdf)" in capsys.readouterr().err
    main(args + ["--full", "--quiet"])
    assert "pypdf" not in capsys.readouterr().err
