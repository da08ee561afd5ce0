"""One settings object: defaults, overridden by environment variables, then by CLI flags.

Only the fields in :data:`INDEX_FIELDS` change what is written to the index; their hash is
stored in the manifest so that an index built with other settings is refused as stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

#: Bumped whenever parsing, chunking, embedding or the stored statistics change what ends up
#: in the index.
PIPELINE_VERSION = "15"

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_dir(name: str) -> Path:
    """`corpus/` and `index/` live beside the project when run from a checkout, else in the cwd."""
    candidate = PROJECT_ROOT / name
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return candidate
    return Path.cwd() / name


@dataclass(frozen=True)
class Settings:
    """Every tunable of the pipeline. Environment variable ``CQC_KB_<FIELD>`` overrides each."""

    corpus: Path = field(default_factory=lambda: _default_dir("corpus"))
    index: Path = field(default_factory=lambda: _default_dir("index"))
    #: A short alias (``all-MiniLM-L6-v2``, ``all-mpnet-base-v2``), a local folder, a hub name,
    #: or ``hash`` (a tiny deterministic embedder meant for tests).
    model: str = "all-MiniLM-L6-v2"
    #: When true the Hugging Face hub is switched off so a missing model fails fast.
    offline: bool = True
    encoding: str = "cl100k_base"
    #: MiniLM reads at most 256 word pieces; 200 cl100k tokens stays under that.
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    #: Prefix each chunk's heading path to the text that is embedded (not to the stored span).
    embed_headings: bool = True
    #: How answer sentences get their vectors: "pooled" from the token embeddings of the
    #: passage that holds them, in the passage's own forward pass, or "encoded" on their own (a
    #: second forward pass, about as costly as the passages'). Pooled is the default since the
    #: answers held on every evaluation set (docs/scaling.md).
    sentence_vectors: str = "pooled"
    #: What runs the embedding model: "onnx" (ONNX Runtime; the graph is exported once from the
    #: local weights into ~/.cache/cqc-kb) or "torch". ONNX Runtime runs a plain mean-pooled
    #: model in a local folder, as the default model is; any other model runs on torch.
    runtime: str = "onnx"
    #: int8 weights for the embedding model (dynamic quantisation): on ONNX Runtime passages
    #: are encoded about twice as fast within the quality budget; on torch (only with runtime
    #: "torch") it cost 0.03 answer accuracy. See docs/scaling.md.
    quantize: bool = True
    batch_size: int = 32
    max_file_mb: float = 50.0
    #: Limits on reading one corpus file; a file over any of them is skipped with its reason,
    #: so one hostile or huge file cannot stall a reindex or hold the write lock for long.
    max_pages: int = 1000
    max_passages: int = 10000
    parse_seconds: float = 120.0
    #: Largest size one compressed PDF stream, or a PDF's extracted text, may grow to.
    max_decompressed_mb: float = 100.0
    #: Processes that read corpus files at once in a reindex of several files; 0 is one per core.
    workers: int = 0
    rrf_k: int = 60
    #: Candidates taken from each retriever before fusion.
    candidates: int = 50
    top_k: int = 5
    #: Answers below this evidence score abstain (calibrated on the development gold set).
    abstain_threshold: float = 0.40
    answer_sentences: int = 2
    #: Serving a team: the app offers no uploads or removals, only reading and asking.
    read_only: bool = False
    #: Serving a team: a shared password the app asks for first; empty means none.
    password: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # Out-of-range query settings would allocate without bound or divide by zero deep inside
        # retrieval; refuse them here, naming the variable that set them.
        for name, (low, high) in {**_QUERY_RANGES, **_READ_RANGES}.items():
            value = getattr(self, name)
            if not low <= value <= high:  # also false for NaN
                bounds = f"from {low} to {high}" if math.isfinite(high) else \
                    f"at least {low}" if math.isfinite(low) else "a number"
                raise ConfigError(f"setting {name} is {value}; it must be {bounds} (env CQC_KB_{name.upper()})")

    def index_hash(self) -> str:
        """Hash of the settings that shape the index; a different hash means rebuild."""
        payload = {name: getattr(self, name) for name in INDEX_FIELDS}
        payload["pipeline"] = PIPELINE_VERSION
        blob = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def index_settings(self) -> dict[str, Any]:
        """The index-shaping settings as plain JSON values, for the manifest."""
        return {name: getattr(self, name) for name in INDEX_FIELDS}

    def embedder_args(self) -> tuple[str, bool, bool, str]:
        """What loads the embedding model (``load_embedder(*settings.embedder_args())``): every
        caller passes all of them, so none can run the model other than the index was built."""
        return self.model, self.offline, self.quantize, self.runtime

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some fields changed; ``None`` values are ignored (unset CLI flags)."""
        clean = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **_coerce_all(clean))


#: Bounds of the settings that shape a query (``top_k`` matches ``search -k``).
_QUERY_RANGES: dict[str, tuple[float, float]] = {
    "top_k": (1, 100), "candidates": (1, 1000), "rrf_k": (0, 10_000), "answer_sentences": (1, 20),
    "abstain_threshold": (float("-inf"), float("inf"))}

#: Bounds of the limits on reading one corpus file (a negative or NaN limit would refuse every file).
_READ_RANGES: dict[str, tuple[float, float]] = {
    "max_file_mb": (0, float("inf")), "max_pages": (1, float("inf")), "max_passages": (1, float("inf")),
    "parse_seconds": (0, float("inf")), "max_decompressed_mb": (0, float("inf")),
    "workers": (0, 256)}

SENTENCE_VECTORS = ("pooled", "encoded")
RUNTIMES = ("torch", "onnx")
INDEX_FIELDS = ("model", "encoding", "chunk_tokens", "chunk_overlap", "embed_headings", "sentence_vectors",
                "quantize", "runtime")


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in dataclasses.fields(Settings)}
    if name not in kinds:
        raise ConfigError(f"unknown setting {name!r}; known settings: {', '.join(sorted(kinds))}")
    kind = kinds[name]
    if name == "sentence_vectors" and raw not in SENTENCE_VECTORS:
        raise ConfigError(f"setting sentence_vectors has an invalid value {raw!r}; "
                          f"expected one of {', '.join(SENTENCE_VECTORS)}")
    if name == "runtime" and raw not in RUNTIMES:
        raise ConfigError(f"setting runtime has an invalid value {raw!r}; expected one of {', '.join(RUNTIMES)}")
    if not isinstance(raw, str):
        return Path(raw) if kind == "Path" else raw
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "bool":
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"setting {name} has an invalid value {raw!r}; expected {kind}") from None
    return raw


def _coerce_all(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _coerce(k, v) for k, v in values.items()}


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Defaults, then ``CQC_KB_*`` environment variables, then explicit overrides."""
    env = os.environ if env is None else env
    from_env = {}
    for f in dataclasses.fields(Settings):
        value = env.get(f"CQC_KB_{f.name.upper()}")
        if value not in (None, ""):
            from_env[f.name] = value
    return Settings().replace(**from_env).replace(**overrides)
