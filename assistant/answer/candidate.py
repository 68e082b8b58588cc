"""A sentence the offline answerer may answer with, and how strongly it matches the question."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Confidence: how strongly the best sentence matches, blending meaning and rare-term coverage.
C_DENSE, C_LEX = 0.6, 0.4


@dataclass
class Candidate:
    passage_index: int
    article_id: str
    text: str
    start: int
    end: int
    #: The share of the question's weighted terms the sentence has.
    coverage: float
    passage_score: float
    type_score: float
    date_score: float = 0.0
    recent_score: float = 0.0
    entity_score: float = 0.0
    vector: np.ndarray | None = None
    dense: float = 0.0
    score: float = 0.0

    @property
    def strength(self) -> float:
        """How strongly the sentence matches the question, blending meaning and rare-term
        coverage: what confidence starts from and what the threshold is compared with."""
        return C_DENSE * self.dense + C_LEX * self.coverage
