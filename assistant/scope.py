"""The scope decision: does the library directly answer this question? One score per question.

The score is a logistic model over retrieval signals (dense similarity, BM25, agreement of the two
rankings, coverage of the question's content words, the dense similarity of the best quote, and a
few shape features). Its weights and threshold are data (``assistant/data/scope.json``), fitted by
``scripts/calibrate_scope.py`` on the tune half of the team's question set: nothing here is tuned by
editing code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.evidence import Evidence
from assistant.text import is_mostly_latin

FEATURES = ("dense", "bm25", "agree", "coverage", "quote_similarity", "rarest_covered", "named", "latin")
"""Chosen by 5-fold cross-validation on the tune half among larger sets (policy-term counts, quoted
text, question length, words absent from the library and first-clause coverage did not help)."""
TOP = 3
"""How many of the best clauses the features look at."""


@dataclass(frozen=True)
class ScopeModel:
    """Logistic weights over ``FEATURES``, a bias and the decision threshold on the probability."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, FEATURES))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@lru_cache(maxsize=1)
def default_model() -> ScopeModel:
    data = json.loads(resources.files("assistant").joinpath("data", "scope.json").read_text(encoding="utf-8"))
    weights = tuple(float(data["weights"][name]) for name in FEATURES)
    return ScopeModel(weights, float(data["bias"]), float(data["threshold"]))


def features(evidence: Evidence, question: str, quote_similarity: float, named: bool = False) -> dict[str, float]:
    """The signals of one question's retrieval, as numbers."""
    top = evidence.clauses[:TOP]
    if not top:
        return dict.fromkeys(FEATURES, 0.0) | {"latin": float(is_mostly_latin(question)), "named": float(named)}
    best = max(top, key=lambda c: c.coverage)
    first = top[0].scores
    present = [t for t in evidence.terms if t.word not in evidence.absent]
    rarest = max(present, key=lambda t: evidence.weights[t.word], default=None)
    return {
        "dense": max(c.scores.dense for c in top),
        "bm25": math.log1p(max(c.scores.bm25 for c in top)),
        "agree": float(0 < first.bm25_rank <= TOP and 0 < first.dense_rank <= TOP),
        "coverage": best.coverage,
        "quote_similarity": quote_similarity,
        "rarest_covered": float(rarest is not None and rarest.found_in(best.text)),
        "named": float(named),
        "latin": float(is_mostly_latin(question)),
    }


def quote_similarity(evidence: Evidence, embedder) -> float:
    """Cosine similarity of the question and the best quoted sentence of the best-covering top clause."""
    candidates = [c for c in evidence.clauses[:TOP] if c.quote]
    if not candidates:
        return 0.0
    best = max(candidates, key=lambda c: c.coverage)
    question = np.asarray(embedder.embed_query(evidence.question))
    return float(question @ _passage_vector(embedder, best.quote.best_sentence))


@lru_cache(maxsize=4096)
def _passage_vector(embedder, sentence: str) -> np.ndarray:
    """A sentence's vector, kept: the same best sentences come back across questions."""
    return np.asarray(embedder.embed_documents([sentence])[0])


def decide(evidence: Evidence, embedder, *, named: bool = False, model: ScopeModel | None = None) -> tuple[bool, float]:
    """Whether the library answers the question, and the score the decision rests on.

    ``named``: the question (or the conversation) names the documents the search was scoped to.
    """
    if not evidence.terms or not evidence.clauses:
        return False, 0.0
    model = model or default_model()
    signals = features(evidence, evidence.question, quote_similarity(evidence, embedder), named)
    probability = model.probability(signals)
    return probability >= model.threshold, round(probability, 4)
