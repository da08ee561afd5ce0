"""cqc-kb: a searchable knowledge base over CQC local authority assessment reports."""

__version__ = "0.1.0"
