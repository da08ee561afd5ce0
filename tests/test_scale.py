"""What keeps a large library fast: no model for commands that do not embed, statistics kept at
index time (and kept right when reports come and go), compare in one pass, and the synthetic
report generator the benchmark uses."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from conftest import ROOT, make_settings

from cqc_kb.assessments import document_councils
from cqc_kb.embed import HashEmbedder
from cqc_kb.kb import KnowledgeBase, build_index
from cqc_kb.records import SECTION_SEP
from cqc_kb.retrieve import Filters
from cqc_kb.text import content_terms, normalise


def _run_without_torch(settings, command: str) -> dict:
    code = (
        "import json, sys\n"
        "from cqc_kb.cli import main\n"
        f"rc = main([{command!r}, '--json', '--quiet', '--corpus', {str(settings.corpus)!r},"
        f" '--index', {str(settings.index)!r}, '--model', {settings.model!r}])\n"
        "print(json.dumps({'rc': rc, 'torch': 'torch' in sys.modules,"
        " 'st': 'sentence_transformers' in sys.modules}), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return {**json.loads(proc.stderr.strip().splitlines()[-1]), "stdout": proc.stdout}


def test_scores_and_status_do_not_import_torch(fixture_corpus, tmp_path) -> None:
    # The index records the real model's name, so an eager open would load sentence-transformers.
    settings = make_settings(fixture_corpus, tmp_path / "index").replace(model="all-MiniLM-L6-v2")
    build_index(settings, embedder=HashEmbedder(384))
    seen = _run_without_torch(settings, "scores")
    assert seen["rc"] == 0
    assert not seen["torch"] and not seen["st"]
    assert {r["authority"] for r in json.loads(seen["stdout"])} >= {"Kestrel Moor Metropolitan Borough Council"}
    seen = _run_without_torch(settings, "status")
    assert seen["rc"] == 0 and not seen["torch"]
    assert json.loads(seen["stdout"])["documents"] == len(list(fixture_corpus.iterdir()))


def test_scores_and_status_do_not_read_the_vectors_and_a_lazy_open_reads_them_to_search(
        fixture_corpus, tmp_path, monkeypatch, capsys) -> None:
    from cqc_kb import store as store_module
    from cqc_kb.cli import main

    settings = make_settings(fixture_corpus, tmp_path / "index")
    build_index(settings)
    read: list[str] = []
    real = store_module._read_vectors

    def counted(build, manifest, kind, count, removed):
        read.append(kind)
        return real(build, manifest, kind, count, removed)

    monkeypatch.setattr(store_module, "_read_vectors", counted)
    where = ["--corpus", str(settings.corpus), "--index", str(settings.index), "--model", "hash"]
    for command in ("scores", "status"):
        assert main([command, "--json", *where]) == 0
        assert json.loads(capsys.readouterr().out)
    assert read == []
    lazy = KnowledgeBase.open(settings, embedder=HashEmbedder())
    assert read == ["vectors", "sentences"]  # a store opened to answer reads them at once
    lazy.close()
    read.clear()
    lazy = KnowledgeBase.open(settings, lazy=True)
    assert read == []
    eager = KnowledgeBase.open(settings, embedder=HashEmbedder())
    question = "How long do people wait for a Care Act assessment?"
    try:
        assert [(h.chunk_id, h.score) for h in lazy.search(question)] == [(h.chunk_id, h.score) for h in eager.search(question)]
        assert read.count("vectors") == 2 and read.count("sentences") == 2
    finally:
        lazy.close()
        eager.close()


def _same_rows_and_vectors(a: KnowledgeBase, b: KnowledgeBase) -> tuple[int, int]:
    """Assert that two indexes hold the same passages and sentences (by document and span)
    with the same vectors; returns how many passages and sentences they hold."""
    query = 'SELECT id, document, start, "end" FROM {} ORDER BY document, start, "end"'
    counts = []
    for table, vectors in (("chunks", lambda kb: kb.store.vectors), ("sentences", lambda kb: kb.store.sentence_vectors)):
        rows_a, rows_b = (kb.store.db.execute(query.format(table)).fetchall() for kb in (a, b))
        assert [r[1:] for r in rows_a] == [r[1:] for r in rows_b]
        va = np.vstack([vectors(a).reconstruct(int(r[0])) for r in rows_a])
        vb = np.vstack([vectors(b).reconstruct(int(r[0])) for r in rows_b])
        assert np.allclose(va, vb, atol=1e-6)
        counts.append(len(rows_a))
    return counts[0], counts[1]


def _template_by_scan(kb: KnowledgeBase) -> set[str]:
    """Sentences in more than one council's reports, by a scan of every sentence."""
    store = kb.store
    councils = document_councils(store)
    seen: dict[str, set[str]] = {}
    for document, start, end in store.db.execute('SELECT document, start, "end" FROM sentences'):
        key = normalise(store.document_text(document)[start:end])
        seen.setdefault(key, set()).add(councils.get(document, document))
    return {k for k, docs in seen.items() if len(docs) > 1}


def _df_by_scan(kb: KnowledgeBase) -> Counter:
    df: Counter = Counter()
    for (text,) in kb.store.db.execute("SELECT text FROM chunks"):
        df.update(set(content_terms(text)))
    return df


def _check_statistics(kb: KnowledgeBase) -> None:
    """The stored statistics equal a full scan of what the index holds."""
    df = _df_by_scan(kb)
    n = kb.store.chunk_count()
    for term in list(df)[:200] + ["zzzunseen"]:
        expected = math.log(1 + (n - df.get(term, 0) + 0.5) / (df.get(term, 0) + 0.5))
        assert kb.retriever.idf(term) == pytest.approx(expected), term
    template = _template_by_scan(kb)
    found = kb.answerer._template_sentences()
    assert template and all(key in found for key in template)
    singles = {normalise(kb.store.document_text(d)[s:e])
               for d, s, e in kb.store.db.execute('SELECT document, start, "end" FROM sentences')} - template
    assert not any(key in found for key in list(singles)[:300])


def test_statistics_follow_documents_added_and_removed(fixture_corpus, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(corpus, tmp_path / "index")
    build_index(settings)
    for step in ("built", "removed", "re-added"):
        if step == "removed":
            (corpus / "kestrel-moor.txt").rename(tmp_path / "kestrel-moor.txt")
            build_index(settings)
        elif step == "re-added":
            (tmp_path / "kestrel-moor.txt").rename(corpus / "kestrel-moor.txt")
            build_index(settings)
        kb = KnowledgeBase.open(settings)
        try:
            _check_statistics(kb)
        finally:
            kb.close()


def test_compare_rows_equal_asking_each_report_alone(hash_kb) -> None:
    question = "How long do people wait for a Care Act assessment?"
    rows = hash_kb.compare(question)
    assert len(rows) == len(hash_kb.assessments())  # each council's latest report
    for row in rows:
        alone = hash_kb.answerer.ask(question, filters=Filters(documents=(row.document,)))
        assert [h.chunk_id for h in row.answer.hits] == [h.chunk_id for h in alone.hits]
        if not alone.abstained:
            assert [(c.start, c.end) for c in row.answer.citations] == \
                [(c.start, c.end) for c in alone.citations]
        assert all(c.document == row.document for c in row.answer.citations)


def test_compare_reports_progress(hash_kb) -> None:
    seen = []
    rows = hash_kb.compare("How are unpaid carers supported?", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(n, len(rows)) for n in range(1, len(rows) + 1)]


class _SpanHash(HashEmbedder):
    """A hash embedder that 'pools' a span by embedding exactly the span's characters: a span
    vector then equals the sentence's own vector only if the offsets point at the sentence."""

    pools_spans = True

    def encode_with_spans(self, texts, spans, batch_size=32, progress=None):
        return self.encode(texts), [self.encode([t[s:e] for s, e in row]) for t, row in zip(texts, spans)]


def test_pooled_sentence_vectors_point_at_their_sentences(fixture_corpus, tmp_path) -> None:
    pooled = make_settings(fixture_corpus, tmp_path / "pooled", sentence_vectors="pooled")
    result = build_index(pooled, embedder=_SpanHash(256))
    kb = KnowledgeBase.open(pooled, embedder=HashEmbedder(256))
    try:
        rows = kb.store.db.execute('SELECT id, document, start, "end" FROM sentences').fetchall()
        ids = [r[0] for r in rows]
        expected = HashEmbedder(256).encode([kb.store.document_text(r[1])[r[2]:r[3]] for r in rows])
        assert len(ids) > 500
        assert (abs(kb.store.sentence_vectors_for(ids) - expected) < 1e-6).all()
        # Each distinct passage is encoded once (the reports share CQC's wording), and every
        # passage keeps its own text's vector; the sentences come from their passages' passes
        # (but any the passages' stored text does not hold, embedded on their own).
        assert result.reused > 0 and result.encoded + result.reused >= result.chunks
        assert result.encoded < result.chunks + len(ids) // 10
        chunks = kb.store.db.execute("SELECT id, text, section FROM chunks").fetchall()
        embedded = [f"{SECTION_SEP.join(r[2].split(SECTION_SEP)[-2:])}\n{r[1]}" if r[2] else r[1] for r in chunks]
        stored = [kb.store.vectors.reconstruct(int(r[0])) for r in chunks]
        assert (abs(stored - HashEmbedder(256).encode(embedded)) < 1e-6).all()
    finally:
        kb.close()


def test_reports_embedded_in_groups_give_the_same_index(fixture_corpus, tmp_path, monkeypatch) -> None:
    """A large library is embedded a few reports at a time; the index must not depend on it."""

    from cqc_kb import ingest

    whole = make_settings(fixture_corpus, tmp_path / "whole")
    build_index(whole, embedder=HashEmbedder(256))
    monkeypatch.setattr(ingest, "EMBED_GROUP_PASSAGES", 1)
    seen: list[tuple[int, int]] = []
    grouped = make_settings(fixture_corpus, tmp_path / "grouped")
    result = build_index(grouped, embedder=HashEmbedder(256),
                         progress=lambda stage, done, total: seen.append((done, total)) if stage == "embed" else None)
    assert result.embedded == result.chunks
    embed_done = [d for d, _ in seen]
    assert embed_done == sorted(embed_done) and seen[-1][0] == seen[-1][1] and len({t for _, t in seen}) == 1
    a, b = KnowledgeBase.open(whole, embedder=HashEmbedder(256)), KnowledgeBase.open(grouped, embedder=HashEmbedder(256))
    try:
        assert min(_same_rows_and_vectors(a, b)) > 100
    finally:
        a.close()
        b.close()


class _ExactEmbedder:
    """A vector per exact text (case and spacing count) that records what it was asked to encode:
    a vector taken for the wrong text, or a text encoded twice, shows."""

    name, dim = "exact-64", 64

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, batch_size: int = 32, progress=None):
        import hashlib


        self.encoded += list(texts)
        rows = [np.random.default_rng(int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little"))
                .standard_normal(self.dim) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True).clip(1e-9)


def test_each_distinct_text_is_encoded_once_and_known_vectors_are_reused(fixture_corpus, tmp_path) -> None:
    """A report added to a library shares CQC's wording with the reports already there: those
    texts take the vectors the index holds, and every vector stays the model's vector of its
    own text (a sentence that differs only in case gets its own)."""

    from cqc_kb.chunk import embed_text
    from cqc_kb.records import Chunk

    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(corpus, tmp_path / "index")
    first = _ExactEmbedder()
    build_index(settings, embedder=first)
    assert len(first.encoded) == len(set(first.encoded))

    source = (corpus / "kestrel-moor.txt").read_text(encoding="utf-8")
    sentence = "People said staff treated them with dignity."
    assert source.count("Kestrel Moor") > 3
    copy = source.replace("Kestrel Moor", "Fernhill Vale").replace("\n\n", f"\n\n{sentence.upper()}\n\n", 1)
    (corpus / "fernhill-vale.txt").write_text(copy + f"\n\n{sentence}\n", encoding="utf-8")
    added = _ExactEmbedder()
    result = build_index(settings, embedder=added)
    assert result.added == ["fernhill-vale.txt"]
    assert result.reused > 0 and result.encoded == len(added.encoded) == len(set(added.encoded))
    assert not set(added.encoded) & set(first.encoded)  # nothing the library held was encoded again
    assert sentence.upper() in " ".join(added.encoded)

    kb = KnowledgeBase.open(settings, embedder=_ExactEmbedder())
    try:
        text = kb.store.document_text("fernhill-vale.txt")
        rows = kb.store.db.execute('SELECT id, start, "end" FROM sentences WHERE document = ?',
                                   ("fernhill-vale.txt",)).fetchall()
        assert len(rows) > 50
        expected = _ExactEmbedder().encode([text[s:e] for _, s, e in rows])
        assert np.allclose(kb.store.sentence_vectors_for([r[0] for r in rows]), expected, atol=1e-6)
        chunks = kb.store.db.execute('SELECT id, section, text FROM chunks WHERE document = ?',
                                     ("fernhill-vale.txt",)).fetchall()
        texts = [embed_text(Chunk("", "", 0, 0, row[2], tuple(row[1].split(" > ")) if row[1] else (), None, 0),
                            settings.embed_headings) for row in chunks]
        got = np.vstack([kb.store.vectors.reconstruct(int(row[0])) for row in chunks])
        assert np.allclose(got, _ExactEmbedder().encode(texts), atol=1e-6)
    finally:
        kb.close()


def test_sentence_vectors_setting_is_checked() -> None:
    from cqc_kb.errors import ConfigError
    from cqc_kb.settings import load_settings

    assert load_settings(env={"CQC_KB_SENTENCE_VECTORS": "encoded"}).sentence_vectors == "encoded"
    with pytest.raises(ConfigError, match="sentence_vectors"):
        load_settings(env={"CQC_KB_SENTENCE_VECTORS": "both"})


def test_quantize_and_runtime_settings_shape_the_index() -> None:
    """int8 vectors differ from float ones, and one runtime's from another's, so an index built
    one way is stale the other way."""
    from cqc_kb.errors import ConfigError
    from cqc_kb.settings import load_settings

    default, plain = load_settings(env={}), load_settings(env={"CQC_KB_QUANTIZE": "0"})
    on_torch = load_settings(env={"CQC_KB_RUNTIME": "torch"})
    assert (default.runtime, default.quantize, plain.quantize, on_torch.runtime) == ("onnx", True, False, "torch")
    assert len({default.index_hash(), plain.index_hash(), on_torch.index_hash()}) == 3
    assert default.index_settings()["quantize"] is True and default.index_settings()["runtime"] == "onnx"
    with pytest.raises(ConfigError, match="quantize"):
        load_settings(env={"CQC_KB_QUANTIZE": "int8"})
    with pytest.raises(ConfigError, match="runtime.*'tensorflow'.*torch, onnx"):
        load_settings(env={"CQC_KB_RUNTIME": "tensorflow"})


def test_the_app_and_the_library_run_the_model_as_the_settings_say(hash_settings) -> None:
    """The app's shared embedder and a lazily opened index load the model with every setting
    that shaped the index, the runtime included (an app that dropped it ran torch's int8 on an
    index built with ONNX Runtime)."""
    from cqc_kb.kb import KnowledgeBase
    from cqc_kb.settings import load_settings
    from cqc_kb_app.common import get_embedder

    for env in ({}, {"CQC_KB_RUNTIME": "torch", "CQC_KB_QUANTIZE": "0"}):
        settings = load_settings(env=env)
        shared = get_embedder(*settings.embedder_args())
        assert (shared.name, shared.offline, shared.quantize, shared.runtime) == settings.embedder_args()
    opened = KnowledgeBase.open(hash_settings, lazy=True)
    try:
        assert (opened.embedder.runtime, opened.embedder.quantize) == (hash_settings.runtime, hash_settings.quantize)
    finally:
        opened.close()


@pytest.mark.slow
def test_real_model_int8_keeps_vectors_close_and_output_quiet(capfd) -> None:
    from cqc_kb.embed import load_embedder

    texts = ["The median waiting time for a Care Act assessment was 63 days.",
             "Unpaid carers said they found out about support from neighbours."]
    plain = load_embedder("all-MiniLM-L6-v2", True, False, "torch").encode(texts)
    int8 = load_embedder("all-MiniLM-L6-v2", True, True, "torch")
    assert int8 is not load_embedder("all-MiniLM-L6-v2", True, False, "torch")
    vectors = int8.encode(texts)
    assert vectors.shape == plain.shape
    assert ((vectors * plain).sum(axis=1) > 0.95).all()
    assert "deprecated" not in capfd.readouterr().err


@pytest.mark.slow
def test_real_model_pools_sentence_spans_from_the_passage_pass() -> None:

    from cqc_kb.embed import encode_passages_and_spans, load_embedder

    embedder = load_embedder("all-MiniLM-L6-v2", True, False, "torch")
    assert embedder.pools_spans
    sentences = ["The median waiting time for a Care Act assessment was 63 days.",
                 "Unpaid carers said they found out about support from neighbours.",
                 "Safeguarding concerns were triaged within one working day.",
                 "Direct payments were taken up by 31% of people using services."]
    padding = "More words about the council. " * 60  # pushes the last sentence out of the window
    texts = [" ".join(sentences[:2]), " ".join(sentences[2:]), padding + sentences[0]]
    spans = [[(0, len(sentences[0])), (len(sentences[0]) + 1, len(texts[0]))],
             [(0, len(sentences[2])), (len(sentences[2]) + 1, len(texts[1]))],
             [(len(padding), len(texts[2]))]]
    passages, pooled = encode_passages_and_spans(embedder, texts, spans, pool=True)
    alone = embedder.encode(sentences + [sentences[0]])
    assert np.allclose(passages, embedder.encode(texts), atol=1e-5)
    similarity = pooled @ alone.T
    # Each pooled vector is nearest its own sentence; the cut-off span was encoded on its own.
    assert [int(i) for i in similarity[:4].argmax(axis=1)] == [0, 1, 2, 3]
    assert similarity[4, 4] == pytest.approx(1.0, abs=1e-5)


def test_app_score_pages_do_not_import_torch(fixture_corpus, tmp_path) -> None:
    """The Scores and Library pages only read the score table and the library list."""
    settings = make_settings(fixture_corpus, tmp_path / "index").replace(model="all-MiniLM-L6-v2")
    build_index(settings, embedder=HashEmbedder(384))
    code = (
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "seen = {}\n"
        "for page in ('scores', 'library'):\n"
        f"    at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=120)\n"
        "    at.query_params['page'] = page\n"
        "    at.run()\n"
        "    seen[page] = {'errors': [e.value for e in at.exception] + [e.value for e in at.error],\n"
        "                  'text': ' '.join(m.value for m in at.markdown)}\n"
        "print(json.dumps({'pages': seen, 'torch': 'torch' in sys.modules,"
        " 'st': 'sentence_transformers' in sys.modules}), file=sys.stderr)\n")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "CQC_KB_CORPUS": str(settings.corpus), "CQC_KB_INDEX": str(settings.index),
           "CQC_KB_MODEL": settings.model}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stderr.strip().splitlines()[-1])
    assert seen["pages"]["scores"]["errors"] == [] and seen["pages"]["library"]["errors"] == []
    assert "Kestrel Moor" in seen["pages"]["scores"]["text"]
    assert not seen["torch"] and not seen["st"]


def _library_of(fixture_corpus, folder, copies: int):
    """The fixture reports, each also saved ``copies`` times under another name (reading does
    not look at content hashes: the reindex's plan does)."""
    folder.mkdir()
    for path in sorted(fixture_corpus.iterdir()):
        for n in range(copies):
            shutil.copy(path, folder / f"{path.stem}-{n}{path.suffix}")
    return [(path, "") for path in sorted(folder.iterdir())]


def test_reader_processes_read_every_file_as_this_process_does(fixture_corpus, tmp_path, monkeypatch) -> None:
    from cqc_kb import ingest
    from cqc_kb.parse import Limits

    todo = _library_of(fixture_corpus, tmp_path / "corpus", 2)
    assert len(todo) >= ingest.PARALLEL_MIN_FILES
    settings = make_settings(tmp_path / "corpus", tmp_path / "index")
    alone = ingest._read_outcomes(settings.replace(workers=1), todo, Limits.from_settings(settings), None)
    here: list[str] = []
    real = ingest.read_or_reason
    monkeypatch.setattr(ingest, "read_or_reason", lambda s, path, limits: here.append(path.name) or real(s, path, limits))
    seen: list[tuple[str, int, int]] = []
    together = ingest._read_outcomes(settings.replace(workers=2), todo, Limits.from_settings(settings),
                                     lambda stage, done, total: seen.append((stage, done, total)))
    assert here == []  # every file was read by a reader process
    assert all(isinstance(o, ingest.Parsed) for o in alone)
    assert together == alone  # documents, structure, chunks, sentences and facts
    assert seen == [("parse", n, len(todo)) for n in range(1, len(todo) + 1)]


def test_files_a_reader_could_not_read_are_read_here(fixture_corpus, tmp_path, monkeypatch, caplog) -> None:
    """Readers that stop (here: a "reader" that exits at once) give their files back."""
    import subprocess as sp

    from cqc_kb import ingest
    from cqc_kb.parse import Limits

    todo = _library_of(fixture_corpus, tmp_path / "corpus", 2)
    settings = make_settings(tmp_path / "corpus", tmp_path / "index", workers=2)
    real_popen = sp.Popen
    monkeypatch.setattr(ingest.subprocess, "Popen", lambda args, **kw: real_popen([sys.executable, "-c", "pass"], **kw))
    with caplog.at_level("WARNING", logger="cqc_kb"):
        outcomes = ingest._read_outcomes(settings, todo, Limits.from_settings(settings), None)
    assert outcomes == ingest._read_outcomes(settings.replace(workers=1), todo, Limits.from_settings(settings), None)
    assert "a reader process stopped while reading" in caplog.text


def test_a_library_read_by_reader_processes_indexes_as_one_read_here(fixture_corpus, tmp_path) -> None:

    from cqc_kb import ingest

    _library_of(fixture_corpus, tmp_path / "corpus", 2)
    for path in (tmp_path / "corpus").glob("*-1.*"):  # the same content is indexed once: make it differ
        path.write_bytes(path.read_bytes() + b"\n")
    builds = {}
    for workers in (1, 2):
        settings = make_settings(tmp_path / "corpus", tmp_path / f"index-{workers}", workers=workers)
        result = build_index(settings, embedder=HashEmbedder(256))
        assert not result.skipped and len(result.added) >= ingest.PARALLEL_MIN_FILES
        kb = KnowledgeBase.open(settings, embedder=HashEmbedder(256))
        try:
            db = kb.store.db
            builds[workers] = ([tuple(r) for r in db.execute(
                'SELECT s.document, s.start, s."end", f.fragment, f.subjects, f.measures, f.figure_kinds '
                "FROM sentences s JOIN sentence_facts f USING (id) ORDER BY 1, 2")],
                [tuple(r) for r in db.execute("SELECT c.chunk_id, f.subjects FROM chunks c JOIN chunk_facts f "
                                              "USING (id) ORDER BY 1")],
                np.vstack([kb.store.vectors.reconstruct(int(i)) for (i,) in
                           db.execute("SELECT id FROM chunks ORDER BY chunk_id")]))
        finally:
            kb.close()
    assert builds[1][0] == builds[2][0] and len(builds[1][0]) > 1000
    assert builds[1][1] == builds[2][1]
    assert np.array_equal(builds[1][2], builds[2][2])


def test_workers_setting_is_checked() -> None:
    from cqc_kb.errors import ConfigError
    from cqc_kb.settings import load_settings

    assert load_settings(env={"CQC_KB_WORKERS": "3"}).workers == 3
    with pytest.raises(ConfigError, match="CQC_KB_WORKERS"):
        load_settings(env={"CQC_KB_WORKERS": "-1"})


class _RecordingSpanHash(_SpanHash):
    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self.encoded: list[str] = []

    def encode_with_spans(self, texts, spans, batch_size=32, progress=None):
        self.encoded += list(texts)
        return super().encode_with_spans(texts, spans, batch_size, progress)


def test_a_passage_in_several_groups_is_encoded_once(fixture_corpus, tmp_path, monkeypatch) -> None:
    """Reports embedded a group at a time: a passage every report repeats (CQC's own wording)
    keeps the vectors of its first group, and the index is the same as embedding all at once."""

    from cqc_kb import ingest

    whole = make_settings(fixture_corpus, tmp_path / "whole")
    build_index(whole, embedder=_SpanHash(256))
    monkeypatch.setattr(ingest, "EMBED_GROUP_PASSAGES", 1)  # a group per report
    grouped = make_settings(fixture_corpus, tmp_path / "grouped")
    embedder = _RecordingSpanHash(256)
    build_index(grouped, embedder=embedder)
    a, b = KnowledgeBase.open(whole, embedder=HashEmbedder(256)), KnowledgeBase.open(grouped, embedder=HashEmbedder(256))
    try:
        chunks = b.store.db.execute("SELECT document, text, section FROM chunks").fetchall()
        embedded = [f"{SECTION_SEP.join(r[2].split(SECTION_SEP)[-2:])}\n{r[1]}" if r[2] else r[1] for r in chunks]
        reports_of: dict[str, set[str]] = {}
        for text, row in zip(embedded, chunks):
            reports_of.setdefault(text, set()).add(row[0])
        repeated = {text for text, reports in reports_of.items() if len(reports) > 1}
        assert repeated  # the fixture reports share passages
        counts = Counter(embedder.encoded)
        assert all(counts[t] == 1 for t in repeated)
        _same_rows_and_vectors(a, b)
    finally:
        a.close()
        b.close()


def test_a_reader_answers_each_request_with_the_outcome_and_what_it_logged(fixture_corpus, tmp_path,
                                                                           monkeypatch) -> None:
    """The reader's side of the exchange, in this process: one reply per request, in order,
    until its input ends; an unexpected error's traceback travels as text."""
    import io
    import logging
    import pickle

    from cqc_kb import ingest
    from cqc_kb.parse import Limits
    from cqc_kb.read_worker import serve

    settings = make_settings(fixture_corpus, tmp_path / "index")
    limits = Limits.from_settings(settings)
    good, cursed = sorted(fixture_corpus.iterdir())[:2]
    real_analyse = ingest.analyse

    def analyse(doc):
        if doc.name == cursed.name:
            raise RuntimeError("an error no parser rule names")
        return real_analyse(doc)

    monkeypatch.setattr(ingest, "analyse", analyse)
    requests = io.BytesIO(b"".join(pickle.dumps((settings, path, limits)) for path in (good, cursed)))
    replies = io.BytesIO()
    logger = logging.getLogger("cqc_kb")
    before = (list(logger.handlers), logger.level, logger.propagate)
    try:
        serve(requests, replies)  # it sets the library's logger up as a reader process's own
    finally:
        logger.handlers[:], logger.propagate = before[0], before[2]
        logger.setLevel(before[1])
    replies.seek(0)
    (first, _), (second, records) = pickle.load(replies), pickle.load(replies)
    assert isinstance(first, ingest.Parsed) and first.doc.name == good.name
    assert isinstance(second, str) and second.startswith("could not be read (RuntimeError")
    assert any(r.levelno == logging.DEBUG and cursed.name in r.getMessage() and "RuntimeError" in r.exc_text
               for r in records)
