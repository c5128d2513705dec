"""Which of the retrieved clauses an answer quotes first: one logistic score per candidate clause,
fitted across each question's candidates (conditional logit).

The score is a logistic model over what retrieval and the evidence know of each clause that has a quote: its
place in the fused ranking, its BM25 and dense scores and ranks, its coverage of the question's words and how
close together it holds them, its quote's score, its document's kind, whether it states the kind of detail
asked (a number, a deadline) and gives one of the question's terms that value (有效期为5年), whether it sits in
a penalty chapter, its length, and whether the question names its document. Its weights are data
(``assistant/data/ordering.json``), fitted by ``scripts/fit_ordering.py`` on the tune halves of the question
sets, where a candidate is right when it holds one of the row's ``cite_any`` strings: nothing here is tuned by
editing code.

It replaced a hand rule (coverage less 0.1 per retrieval place, plus 0.2 × proximity). Each set left out once
and scored by a fit on the others, the score picked a right first clause in 447 of 551 tune questions against
the hand rule's 444: 71 against 63 on the four newest sets, which the hand rule had not been shaped on, and 79
against 84 on the team's set, which it had. On the validation halves: hit@1 +22 −10, facts +9 −6 (CHANGELOG).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.evidence import ClauseEvidence, Evidence
from assistant.facets import asked_details, holds_detail, states_value
from assistant.text import normalize
from assistant.types import DOC_KINDS

FEATURES = (
    "place",
    "candidate_place",
    "coverage",
    "coverage_share",
    "best_coverage",
    "proximity",
    "quote_share",
    "fused_share",
    "bm25_share",
    "bm25_first",
    "bm25_missed",
    "dense_gap",
    "dense_first",
    "dense_missed",
    "kind",
    "states_detail",
    "states_value",
    "penalty",
    "length",
    "named",
)
PENALTY_CHAPTER = re.compile(r"法律责任|罚则")
"""The chapter of a law or regulation that says what befalls one who breaks its rules."""


@dataclass(frozen=True)
class OrderModel:
    """Weights over ``FEATURES``; only the order of a question's scores matters, so there is no bias."""

    weights: tuple[float, ...]

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return rows @ np.asarray(self.weights)


@lru_cache(maxsize=1)
def default_model() -> OrderModel:
    data = json.loads(resources.files("assistant").joinpath("data", "ordering.json").read_text(encoding="utf-8"))
    return OrderModel(tuple(float(data["weights"][name]) for name in FEATURES))


def features(evidence: Evidence, candidates: list[ClauseEvidence], named: list[str]) -> np.ndarray:
    """One row of ``FEATURES`` per candidate of ``evidence.clauses``."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    clauses, details = evidence.clauses, asked_details(evidence.question)

    def top(values: list[float]) -> float:
        return max(values) or 1.0

    coverages = [c.coverage for c in candidates]
    best, most = max(coverages), top(coverages)
    quote, fused = top([c.quote.score for c in candidates]), top([c.scores.score for c in candidates])
    bm25, dense = top([c.scores.bm25 for c in candidates]), top([c.scores.dense for c in candidates])
    rows = []
    for j, c in enumerate(candidates):
        rows.append(
            [
                clauses.index(c),
                j,
                c.coverage,
                c.coverage / most,
                c.coverage == best,
                c.proximity,
                c.quote.score / quote,
                c.scores.score / fused,
                c.scores.bm25 / bm25,
                c.scores.bm25_rank == 1,
                c.scores.bm25_rank == 0,
                c.scores.dense - dense,
                c.scores.dense_rank == 1,
                c.scores.dense_rank == 0,
                DOC_KINDS.index(c.doc.kind) if c.doc.kind in DOC_KINDS else -1,
                holds_detail(c.quote.text, details),
                states_value(normalize(c.text), evidence.terms, details),
                bool(PENALTY_CHAPTER.search(c.meta.heading_path)),
                math.log1p(len(c.text)),
                c.doc.doc_id in named,
            ]
        )
    return np.asarray(rows, dtype=float)


def scores(evidence: Evidence, candidates: list[ClauseEvidence], named: list[str]) -> np.ndarray:
    """The default model's score of each candidate (higher: quoted first)."""
    return default_model().scores(features(evidence, candidates, named))
