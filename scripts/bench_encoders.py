"""Encoder variants side by side: speed and how far each one's vectors move from the float model.

    python scripts/bench_encoders.py                 # torch float32 and int8 (per-channel)
    python scripts/bench_encoders.py                 # ... and ONNX Runtime float32 and int8

Texts are the shipped report's passages and answer sentences exactly as the index embeds them
(the default settings' chunks, headings included, and their sentences). Each variant encodes
every text set ``--rounds`` times, interleaved with the others so that a busy machine slows them
alike; the best round counts. "cos" compares each vector with the float model's vector of the
same text (1.0 is identical). ONNX rows run the project's own ONNX embedder (exported once from
the model's local folder into the cache, no download).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

Encode = Callable[[list[str]], np.ndarray]


def texts_of_report(path: Path) -> dict[str, list[str]]:
    """The passages and answer sentences the index embeds for one report."""
    from cqc_kb.chunk import chunk_document, document_sentences, embed_text, token_counter
    from cqc_kb.parse import parse_file
    from cqc_kb.settings import load_settings
    from cqc_kb.structure import analyse

    settings = load_settings()
    doc = parse_file(path)
    chunks = chunk_document(doc, analyse(doc), settings, token_counter(settings))
    return {"passages": [embed_text(c, settings.embed_headings) for c in chunks],
            "sentences": [doc.text[s:e] for s, e in document_sentences(doc, chunks)]}


def torch_variants(threads: int) -> dict[str, Encode]:
    """The project's own embedder, float32 and int8."""
    import torch

    from cqc_kb.embed import load_embedder

    torch.set_num_threads(threads)
    out: dict[str, Encode] = {}
    for name, quantize in (("torch float32", False), ("torch int8 (CQC_KB_RUNTIME=torch CQC_KB_QUANTIZE=1)", True)):
        embedder = load_embedder("all-MiniLM-L6-v2", True, quantize, "torch")
        out[name] = lambda texts, e=embedder: e.encode(texts, batch_size=32)
    return out


def onnx_variants(threads: int) -> dict[str, Encode]:
    """ONNX Runtime float32 and int8 (``CQC_KB_RUNTIME=onnx``), if onnxruntime is installed."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return {}
    from cqc_kb.embed import OnnxEmbedder, plain_mean_pooled, resolve_model

    path = resolve_model("all-MiniLM-L6-v2")
    out: dict[str, Encode] = {}
    for name, quantize in (("onnxruntime float32", False), ("onnxruntime int8 (default)", True)):
        embedder = OnnxEmbedder("all-MiniLM-L6-v2", path, plain_mean_pooled(path), quantize=quantize,
                                threads=threads)
        out[name] = lambda texts, e=embedder: e.encode(texts, batch_size=32)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", type=Path, default=ROOT / "corpus" / "stockton-on-tees.txt")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = parser.parse_args(argv)

    texts = texts_of_report(args.report)
    variants = torch_variants(args.threads) | onnx_variants(args.threads)
    for encode in variants.values():  # lazy initialisation is not what is measured
        encode(texts["sentences"][:8])
    best = {(v, kind): float("inf") for v in variants for kind in texts}
    vectors: dict[tuple[str, str], np.ndarray] = {}
    for _ in range(args.rounds):
        for kind, items in texts.items():
            for name, encode in variants.items():
                start = time.perf_counter()
                vectors[name, kind] = encode(items)
                best[name, kind] = min(best[name, kind], time.perf_counter() - start)

    rows = []
    for name in variants:
        row = {"variant": name}
        for kind, items in texts.items():
            cos = (vectors[name, kind] * vectors["torch float32", kind]).sum(1)
            row |= {f"{kind}_per_s": round(len(items) / best[name, kind], 1),
                    f"{kind}_speedup": round(best["torch float32", kind] / best[name, kind], 2),
                    f"{kind}_cos_mean": round(float(cos.mean()), 4), f"{kind}_cos_min": round(float(cos.min()), 4)}
        rows.append(row)
    if args.json:
        print(json.dumps({"texts": {k: len(v) for k, v in texts.items()}, "threads": args.threads,
                          "rows": rows}, indent=2))
        return 0
    print(f"{len(texts['passages'])} passages, {len(texts['sentences'])} sentences, "
          f"{args.threads} threads, best of {args.rounds} rounds\n")
    print("| variant | passages/s | vs float | sentences/s | vs float | cos mean / min (passages) | cos mean / min (sentences) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['passages_per_s']} | {r['passages_speedup']}x | {r['sentences_per_s']} | "
              f"{r['sentences_speedup']}x | {r['passages_cos_mean']:.4f} / {r['passages_cos_min']:.4f} | "
              f"{r['sentences_cos_mean']:.4f} / {r['sentences_cos_min']:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
