"""The default model runs on transformers alone, giving sentence-transformers' own vectors;
any model that is not a plain mean-pooled one still loads through sentence-transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

from cqc_kb.embed import plain_mean_pooled, resolve_model

MINILM = resolve_model("all-MiniLM-L6-v2")
TEXTS = ["The median waiting time for a Care Act assessment was 63 days.",
         "  Unpaid carers said they found out about support from neighbours.  ",
         "SAFEGUARDING concerns were triaged within one working day.",
         "More words about the council and its partners. " * 80,  # longer than the window
         "x"]

pytestmark = pytest.mark.skipif(MINILM is None, reason="the all-MiniLM-L6-v2 package is not installed")


def _variant(tmp_path: Path, edit) -> str:
    """A copy of the packaged model's configuration (not its weights) changed by ``edit``."""
    folder = tmp_path / "model"
    shutil.copytree(MINILM, folder, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    edit(folder)
    return str(folder)


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_the_packaged_model_is_plain_and_other_kinds_are_not(tmp_path) -> None:
    assert plain_mean_pooled(MINILM) == 256
    refused = {
        "lower-cased": lambda f: _edit_json(f / "sentence_bert_config.json", do_lower_case=True),
        "cls pooling": lambda f: _edit_json(f / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False,
                                            pooling_mode_cls_token=True),
        "a default prompt": lambda f: _edit_json(f / "config_sentence_transformers.json",
                                                 prompts={"query": "query: "}, default_prompt_name="query"),
        "a dense layer": lambda f: (f / "modules.json").write_text(json.dumps(
            [*json.loads((f / "modules.json").read_text()),
             {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}])),
        "no modules.json": lambda f: (f / "modules.json").unlink(),
        "extra arguments": lambda f: _edit_json(f / "sentence_bert_config.json", tokenizer_args={"x": 1}),
    }
    for i, (what, edit) in enumerate(refused.items()):
        assert plain_mean_pooled(_variant(tmp_path / str(i), edit)) is None, what


@pytest.mark.slow
def test_transformers_alone_gives_sentence_transformers_vectors() -> None:
    from cqc_kb.embed import SentenceTransformerEmbedder, TransformersEmbedder, encode_passages_and_spans

    direct = TransformersEmbedder("all-MiniLM-L6-v2", MINILM, 256)
    reference = SentenceTransformerEmbedder("all-MiniLM-L6-v2", MINILM)
    assert direct.dim == reference.dim == 384 and direct.pools_spans and reference.pools_spans
    for texts in (TEXTS[:1], TEXTS[:2], TEXTS * 8):  # one thread for a question; batches
        assert np.allclose(direct.encode(texts, batch_size=4), reference.encode(texts, batch_size=4), atol=1e-6)
    spans = [[(0, 30), (31, len(t))] for t in TEXTS]
    for a, b in zip(encode_passages_and_spans(direct, TEXTS, spans, pool=True),
                    encode_passages_and_spans(reference, TEXTS, spans, pool=True)):
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-5)


@pytest.mark.slow
def test_loading_the_default_model_does_not_import_sentence_transformers() -> None:
    """Nor does it leave torch's threads spinning while they wait (unless the user asked)."""
    code = ("import os, sys\nfrom cqc_kb.embed import load_embedder\n"
            "e = load_embedder('all-MiniLM-L6-v2', True, False, 'torch')\n"
            "print(type(e).__name__, e.encode(['a question']).shape, 'sentence_transformers' in sys.modules,"
            " os.environ.get('OMP_WAIT_POLICY'))")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    for chosen, expected in ((None, "PASSIVE"), ("ACTIVE", "ACTIVE")):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                              env=env if chosen is None else {**env, "OMP_WAIT_POLICY": chosen})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["TransformersEmbedder", "(1,", "384)", "False", expected]


@pytest.mark.slow
def test_onnx_runtime_runs_the_same_model(tmp_path, monkeypatch) -> None:
    """ONNX Runtime float32 gives transformers' vectors (so tokenising, pooling and span pooling
    are the same); int8 stays close to them and encodes questions with the float weights; the
    export is made once and then reused."""
    from cqc_kb.embed import OnnxEmbedder, TransformersEmbedder, encode_passages_and_spans

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference = TransformersEmbedder("all-MiniLM-L6-v2", MINILM, 256)
    float32 = OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256, quantize=False)
    int8 = OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256, quantize=True)
    for texts in (TEXTS[:1], TEXTS * 8):  # the one-thread session for a question; batches
        expected = reference.encode(texts, batch_size=4)
        assert np.allclose(float32.encode(texts, batch_size=4), expected, atol=1e-5)
        assert ((int8.encode(texts, batch_size=4) * expected).sum(1) > 0.97).all()
        assert not np.allclose(int8.encode(texts, batch_size=4), expected, atol=1e-3)
    assert np.allclose(int8.encode_query(TEXTS[0]), reference.encode([TEXTS[0]])[0], atol=1e-5)
    spans = [[(0, 30), (31, len(t))] for t in TEXTS]
    for a, b in zip(encode_passages_and_spans(float32, TEXTS, spans, pool=True),
                    encode_passages_and_spans(reference, TEXTS, spans, pool=True)):
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-5)

    exports = sorted((tmp_path / "cache" / "cqc-kb" / "models" / "onnx").glob("*/model.onnx"))
    assert [p.parent.name.split("-")[-2] for p in exports] == sorted(["float32", "int8"])
    stamps = [p.stat().st_mtime_ns for p in exports]
    again = OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256, quantize=True)
    assert [p.stat().st_mtime_ns for p in exports] == stamps
    assert np.array_equal(again.encode(TEXTS), int8.encode(TEXTS))


@pytest.mark.slow
def test_onnx_tokenizer_matches_transformers() -> None:
    """The tokenizers library alone, set up as :class:`OnnxEmbedder` sets it up, gives the
    token ids and offsets of transformers' tokenizer for the model."""
    from transformers import AutoTokenizer

    from cqc_kb.embed import OnnxEmbedder

    texts = TEXTS + ["Café naïve résumé – “quoted” … 12½%", "", "\u00a0spaces\u2003and\ttabs\n"]
    expected = AutoTokenizer.from_pretrained(MINILM)(texts, padding=True, truncation="longest_first",
                                                    max_length=256, return_offsets_mapping=True)
    got = OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256).tokenizer.encode_batch(texts)
    assert [e.ids for e in got] == expected["input_ids"]
    assert [e.attention_mask for e in got] == expected["attention_mask"]
    assert [e.offsets for e in got] == [[tuple(o) for o in row] for row in expected["offset_mapping"]]


@pytest.mark.slow
def test_a_cached_onnx_model_loads_without_torch() -> None:
    """Once exported, the ONNX embedder starts with neither torch nor transformers imported."""
    code = ("import sys\nfrom cqc_kb.embed import load_embedder\n"
            "load_embedder('all-MiniLM-L6-v2', True, True, 'onnx')\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_a_model_onnx_runtime_cannot_run_falls_back_to_float_torch(tmp_path) -> None:
    """Under the default runtime a model that is not plain mean-pooled runs through
    sentence-transformers, and not with torch's int8 (which cost answer quality)."""
    from cqc_kb.embed import SentenceTransformerEmbedder, load_embedder

    folder = _variant(tmp_path, lambda f: _edit_json(f / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False,
                                                     pooling_mode_cls_token=True))
    (Path(folder) / "model.safetensors").symlink_to(Path(MINILM) / "model.safetensors")
    chosen = load_embedder(folder, True, True, "onnx")
    assert isinstance(chosen, SentenceTransformerEmbedder)
    assert np.allclose(chosen.encode(TEXTS), SentenceTransformerEmbedder("cls", folder).encode(TEXTS), atol=1e-6)


def test_an_unwritable_cache_is_a_clear_error(tmp_path, monkeypatch) -> None:
    """Exporting needs a writable cache folder; without one the error names it and the fixes."""
    from cqc_kb.embed import OnnxEmbedder
    from cqc_kb.errors import ModelLoadError

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    with pytest.raises(ModelLoadError, match=r"could not be exported to ONNX in .*not-a-folder.*CQC_KB_RUNTIME=torch"):
        OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256, quantize=True)


def test_without_onnxruntime_the_error_says_what_to_install(monkeypatch) -> None:
    from cqc_kb.embed import OnnxEmbedder
    from cqc_kb.errors import ModelLoadError

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(ModelLoadError, match=r"pip install onnxruntime.*CQC_KB_RUNTIME=torch CQC_KB_QUANTIZE=0"):
        OnnxEmbedder("all-MiniLM-L6-v2", MINILM, 256)
