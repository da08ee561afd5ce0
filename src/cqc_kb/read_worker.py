"""A reader process: reads corpus files for a reindex running in another process.

A reindex of several files reads them in a few of these at once (``_read_in_workers`` in
:mod:`cqc_kb.ingest`), since reading is pure Python and uses one core. Each is started as ``python -m
cqc_kb.read_worker``, never by re-running the caller's script as :mod:`multiprocessing` would.
Requests ``(settings, path, limits)`` and replies ``(outcome, log records)`` are pickled on its
standard input and output: between two processes of the same install, never through a file.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from typing import BinaryIO


class _Records(logging.Handler):
    """Keeps what the library logs while reading a file, for the reindex's own log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Arguments and tracebacks may not pickle: send the finished message.
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
        self.records.append(record)


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer requests until the other end closes ``requests``."""
    from .ingest import read_or_reason

    records = _Records()
    logger = logging.getLogger("cqc_kb")
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)  # the reindex's process decides what is shown
    logger.propagate = False
    while True:
        try:
            settings, path, limits = pickle.load(requests)
        except EOFError:
            return
        records.records = []
        outcome = read_or_reason(settings, path, limits)
        pickle.dump((outcome, records.records), replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


def main() -> None:
    # Replies get the real standard output; anything else printed goes to standard error.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, replies)
    except (KeyboardInterrupt, BrokenPipeError):
        pass  # the reindex was interrupted or has gone; it reports that itself


if __name__ == "__main__":
    main()
