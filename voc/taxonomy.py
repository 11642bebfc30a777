"""The bank's service process steps, read from lexicons/process_taxonomy.yaml so users edit rules, not code.

A record's step comes from keyword rules (a keyword token scores 1, a weak keyword 0.5); a step may name a
``parent`` step and then wins over it whenever one of its own keywords fires. A record no rule matches is
'other' (未归类) unless the calibrated embedding fallback in ``voc.step_fallback`` is sure enough.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from voc.errors import ConfigError
from voc.text.segment import LEXICON_DIR

DEFAULT_PATH = LEXICON_DIR / "process_taxonomy.yaml"
OTHER = "other"
OTHER_NAME = "未归类"


@dataclass(frozen=True)
class ProcessStep:
    id: str
    name: str
    description: str
    keywords: frozenset[str]
    weak_keywords: frozenset[str]
    parent: str | None = None

    def profile_text(self) -> str:
        """What the embedder reads for this step: its name, description and keywords."""
        return " ".join([self.name, self.description, *sorted(self.keywords)])


class Taxonomy:
    """Process steps in the file's order; the order breaks ties between equally matched steps."""

    def __init__(self, steps: Sequence[ProcessStep], source: str = "") -> None:
        self.steps = tuple(steps)
        self.source = source
        self._by_id = {s.id: s for s in self.steps}
        index = {s.id: i for i, s in enumerate(self.steps)}
        self._parent_idx = [(i, index[s.parent]) for i, s in enumerate(self.steps) if s.parent in index]
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
            parent = str(raw["parent"]) if raw.get("parent") is not None else None
            steps.append(ProcessStep(sid, str(raw["name"]), str(raw.get("description") or ""), kws, weak, parent))
        _check_parents(path, steps)
        if OTHER not in seen_ids:
            steps.append(ProcessStep(OTHER, OTHER_NAME, OTHER_NAME, frozenset(), frozenset()))
        return cls(steps, str(path))

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def name(self, step_id: str | None) -> str:
        step = self._by_id.get(step_id or OTHER)
        return step.name if step else str(step_id)

    def parent(self, step_id: str | None) -> str | None:
        step = self._by_id.get(step_id or OTHER)
        return step.parent if step else None

    def root(self, step_id: str | None) -> str:
        """The top-level step a (sub-)step belongs to, for roll-ups."""
        return self.parent(step_id) or (step_id or OTHER)

    def keyword_set(self) -> frozenset[str]:
        """Every keyword and weak keyword of every step."""
        return frozenset(self._weights)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Rule score of every step for one token list (each distinct token counts once).

        A sub-step that fires also collects its parent's score, so 手机银行 + 验证码 is the verification sub-step.
        """
        out = np.zeros(len(self.steps), dtype=np.float32)
        for tok in set(tokens):
            for i, w in self._weights.get(tok, ()):
                out[i] += w
        raw = out.copy()
        for child, parent in self._parent_idx:
            if raw[child] > 0:
                out[child] += raw[parent]
        return out

    def match(self, tokens: Sequence[str]) -> tuple[str | None, float]:
        """Best step by keyword rules, or (None, 0) when no keyword fires."""
        sc = self.scores(tokens)
        best = int(np.argmax(sc))
        return (self.steps[best].id, float(sc[best])) if sc[best] > 0 else (None, 0.0)

    def classify(
        self,
        token_lists: Sequence[Sequence[str]],
        fallback: Callable[[list[int]], list[str | None]] | None = None,
    ) -> list[str]:
        """Step per record: keyword rules, then ``fallback`` (indices of the unmatched records), else 'other'."""
        out: list[str | None] = [self.match(toks)[0] for toks in token_lists]
        todo = [i for i, step in enumerate(out) if step is None]
        if todo and fallback is not None:
            for i, step in zip(todo, fallback(todo), strict=True):
                out[i] = step
        return [step or OTHER for step in out]


def _check_parents(path: Path, steps: Sequence[ProcessStep]) -> None:
    """A parent must be another real top-level step: one level of sub-steps keeps roll-ups simple."""
    by_id = {s.id: s for s in steps}
    for step in steps:
        if step.parent is None:
            continue
        parent = by_id.get(step.parent)
        if parent is None or step.parent in (step.id, OTHER):
            raise ConfigError(f"{path}: step '{step.id}' names unknown parent '{step.parent}'")
        if parent.parent is not None:
            raise ConfigError(f"{path}: step '{step.id}' has parent '{parent.id}', which is itself a sub-step")
