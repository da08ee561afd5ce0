"""Typed errors. Each message names the file (or setting) at fault and what to do about it."""

from __future__ import annotations


class KbError(Exception):
    """Base of every error the library raises on purpose."""


class ConfigError(KbError):
    """A setting has an unknown name or a value of the wrong kind."""


class ParseError(KbError):
    """A corpus file could not be turned into text; the file is skipped, the index untouched."""

    def __init__(self, path: str, reason: str, fix: str) -> None:
        self.path = path
        self.reason = reason
        self.fix = fix
        super().__init__(f"{path}: {reason}. {fix}")


class IndexMissingError(KbError):
    """No index has been built at the configured location."""


class StaleIndexError(KbError):
    """The index was built with other settings, or by an older pipeline."""


class ModelLoadError(KbError):
    """The embedding model could not be found or loaded."""


class IndexBusyError(KbError):
    """Another process is rebuilding the index."""


class DamagedIndexError(KbError):
    """An index file is missing, truncated or garbled; a plain ``cqc-kb reindex`` rebuilds it."""

    def __init__(self, index_dir: object, finding: str) -> None:
        self.index_dir = index_dir
        self.finding = finding
        super().__init__(f"the index in {index_dir} is damaged ({finding}); "
                         "run `cqc-kb reindex` to rebuild it")
