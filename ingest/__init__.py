"""Ingestors: ratings exports, call transcripts and social posts into voc's store, incrementally.

``voc`` never imports this package; the CLI (``voc ingest``, ``voc pull``) is its only caller in voc.
"""

from __future__ import annotations

from ingest.base import BadItem, Batch, Ingestor, Mark, Position, RawItem, Reject
from ingest.calls import CallsIngestor
from ingest.http import HttpIngestor
from ingest.ratings import RatingsIngestor
from ingest.runner import RunResult, run_ingestor
from ingest.social import SocialIngestor
from ingest.sources import build_ingestor, pull

__all__ = [
    "BadItem", "Batch", "CallsIngestor", "HttpIngestor", "Ingestor", "Mark", "Position", "RatingsIngestor",
    "RawItem", "Reject", "RunResult", "SocialIngestor", "build_ingestor", "pull", "run_ingestor",
]
