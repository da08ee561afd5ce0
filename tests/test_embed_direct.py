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
            "e = load_embedder('all-MiniLM-L6-v2')\n"
            "print(type(e).__name__, e.encode(['a question']).shape, 'sentence_transformers' in sys.modules,"
            " os.environ.get('OMP_WAIT_POLICY'))")
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    for chosen, expected in ((None, "PASSIVE"), ("ACTIVE", "ACTIVE")):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                              env=env if chosen is None else {**env, "OMP_WAIT_POLICY": chosen})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["TransformersEmbedder", "(1,", "384)", "False", expected]
