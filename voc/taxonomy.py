"""The bank's service process steps, read from lexicons/process_taxonomy.yaml so users edit rules, not code.

A record's step comes from keyword rules first (a keyword token scores 1, a weak keyword 0.5); when no rule
fires, the embedding similarity to each step's description decides, and below a threshold it is 'other'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from voc.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "lexicons" / "process_taxonomy.yaml"
OTHER = "other"


@dataclass(frozen=True)
class ProcessStep:
    id: str
    name: str
    description: str
    keywords: frozenset[str]
    weak_keywords: frozenset[str]

    def profile_text(self) -> str:
        """What the embedder reads for this step: its name, description and keywords."""
        return " ".join([self.name, self.description, *sorted(self.keywords)])


class Taxonomy:
    """Process steps in the file's order; the order breaks ties between equally matched steps."""

    def __init__(self, steps: Sequence[ProcessStep], source: str = "") -> None:
        self.steps = tuple(steps)
        self.source = source
        self._by_id = {s.id: s for s in self.steps}
        self._weights: dict[str, list[tuple[int, float]]] = {}
        for i, step in enumerate(self.steps):
            for kw in step.keywords:
                self._weights.setdefault(kw, []).append((i, 1.0))
            for kw in step.weak_keywords:
                self._weights.setdefault(kw, []).append((i, 0.5))

    @classmethod
    def load(cls, path: Path | str = DEFAULT_PATH) -> Taxonomy:
        """Read and validate the YAML; mistakes name the file and the step or keyword."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read process taxonomy: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise ConfigError(f"{path}: expected a top-level 'steps:' list")
        steps, seen_ids, owner = [], set(), {}
        for i, raw in enumerate(data["steps"]):
            if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
                raise ConfigError(f"{path}: step #{i + 1} needs an 'id' and a 'name'")
            sid = str(raw["id"])
            if sid in seen_ids:
                raise ConfigError(f"{path}: step id '{sid}' appears twice")
            seen_ids.add(sid)
            kws = frozenset(str(k) for k in raw.get("keywords") or [])
            weak = frozenset(str(k) for k in raw.get("weak_keywords") or [])
            for kw in kws | weak:
                if kw in owner:
                    raise ConfigError(f"{path}: keyword '{kw}' belongs to both '{owner[kw]}' and '{sid}'")
                owner[kw] = sid
            steps.append(ProcessStep(sid, str(raw["name"]), str(raw.get("description") or ""), kws, weak))
        if OTHER not in seen_ids:
            steps.append(ProcessStep(OTHER, "其他", "其他", frozenset(), frozenset()))
        return cls(steps, str(path))

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def name(self, step_id: str | None) -> str:
        step = self._by_id.get(step_id or OTHER)
        return step.name if step else str(step_id)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Rule score of every step for one token list (each distinct token counts once)."""
        out = np.zeros(len(self.steps), dtype=np.float32)
        for tok in set(tokens):
            for i, w in self._weights.get(tok, ()):
                out[i] += w
        return out

    def match(self, tokens: Sequence[str]) -> tuple[str | None, float]:
        """Best step by keyword rules, or (None, 0) when no keyword fires."""
        sc = self.scores(tokens)
        best = int(np.argmax(sc))
        return (self.steps[best].id, float(sc[best])) if sc[best] > 0 else (None, 0.0)

    def classify(
        self,
        token_lists: Sequence[Sequence[str]],
        vectors: np.ndarray | None = None,
        step_vectors: np.ndarray | None = None,
        min_similarity: float = 0.25,
    ) -> list[str]:
        """Step per record: rules first, then cosine to the step profiles, else 'other'."""
        out: list[str] = []
        other_idx = self.ids.index(OTHER)
        for i, toks in enumerate(token_lists):
            step, _ = self.match(toks)
            if step is None and vectors is not None and step_vectors is not None:
                sims = step_vectors @ vectors[i]
                sims[other_idx] = -1.0
                j = int(np.argmax(sims))
                step = self.steps[j].id if sims[j] >= min_similarity else None
            out.append(step or OTHER)
        return out
