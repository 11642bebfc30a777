"""voc: voice-of-customer text mining for Chinese retail banks."""

from __future__ import annotations

__version__ = "0.1.0"
