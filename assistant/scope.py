"""The scope decision: does the library directly answer this question? One score per question.

The score is a logistic model over retrieval signals (dense similarity, BM25, agreement of the two
rankings, coverage of the question's content words, the dense similarity of the best quote, and a
few shape features) and one signal of the question itself: how much nearer it lies to labelled
in-scope questions than to labelled out-of-scope ones (``neighbours``; the labelled questions are the
tune halves', kept in ``assistant/data/scope_examples.json``). Its weights and threshold are data (``assistant/data/scope.json``), fitted by
``scripts/calibrate_scope.py`` on the tune halves of every question set: nothing here is tuned by
editing code.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.evidence import Evidence
from assistant.text import is_mostly_latin

FEATURES = ("dense", "bm25", "agree", "coverage", "quote_similarity", "rarest_covered", "named", "latin", "neighbours")
"""Chosen by 5-fold cross-validation on the tune half among larger sets (policy-term counts, quoted
text, question length, words absent from the library and first-clause coverage did not help)."""
NEIGHBOURS = 3
"""How many nearest labelled questions of each side the ``neighbours`` signal averages."""
QUOTE_RANGE = (0.5, 1.0)
"""Where a question's similarity to a sentence of the library lies. A cosine may be anything in [-1, 1] in
principle; the bundled e5 model's question-sentence cosines ranged 0.68–0.96 over all 398 × 3,192 pairs of the
team's questions and the library's sentences, so the range kept starts well below that (re-check it for
another model: ``tests/test_answering.py`` compares the decisions with the exact ones)."""
EXAMPLES = "scope_examples.json"
"""The labelled questions (tune half, retrieval route) and the embedder that made ``EXAMPLE_VECTORS``."""
EXAMPLE_VECTORS = "scope_examples.npy"
"""Their vectors (float16), used when that embedder is the one answering."""
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


@dataclass(frozen=True)
class Examples:
    """Labelled questions as vectors of one embedder: ``in_scope[i]`` says whether question i is answerable."""

    questions: tuple[str, ...]
    vectors: np.ndarray
    in_scope: np.ndarray
    documents: frozenset[str] | None = None
    """The documents the questions were labelled against (None: not recorded, taken as every document)."""

    def labelled_for(self, doc_id: str) -> bool:
        """Whether the labels speak of ``doc_id``: a document added later (a user's own 低保 notice) was not
        there when 低保 questions were labelled out of scope."""
        return self.documents is None or doc_id in self.documents

    def neighbours(self, vector: np.ndarray, exclude: str = "") -> float:
        """Mean similarity of the nearest in-scope questions minus that of the nearest out-of-scope ones.

        ``exclude``: a question left out of its own neighbours (calibration scores the tune half itself).
        """
        # einsum, not BLAS: a gemv this size wakes OpenBLAS's threads, whose spinning doubled the embedder's time
        # on two cores (warm p50 22 → 42 ms with 1,303 examples)
        similarities = np.einsum("ij,j->i", self.vectors, vector)
        if exclude in self.questions:
            similarities = similarities.copy()
            similarities[self.questions.index(exclude)] = -np.inf
        sides = [np.sort(similarities[mask])[-NEIGHBOURS:] for mask in (self.in_scope, ~self.in_scope)]
        if any(not np.isfinite(side).any() for side in sides):
            return 0.0
        return float(np.mean(sides[0][np.isfinite(sides[0])]) - np.mean(sides[1][np.isfinite(sides[1])]))


_EXAMPLES: dict[str, Examples] = {}
_EXAMPLES_LOCK = threading.Lock()


def examples(embedder) -> Examples:
    """The labelled questions embedded by ``embedder``: stored vectors when they are this embedder's, else
    embedded once (a second or two) and kept for the process."""
    with _EXAMPLES_LOCK:
        if embedder.identity not in _EXAMPLES:
            data = json.loads(resources.files("assistant").joinpath("data", EXAMPLES).read_text(encoding="utf-8"))
            questions = tuple(data["questions"])
            stored = resources.files("assistant").joinpath("data", EXAMPLE_VECTORS)
            vectors = None
            if data.get("model") == embedder.identity and stored.is_file():
                with stored.open("rb") as file:
                    vectors = np.load(file).astype(np.float32)
            if vectors is None or len(vectors) != len(questions):
                vectors = embedder.embed_queries(list(questions))
            in_scope = np.asarray(data["in_scope"], dtype=bool)
            documents = frozenset(data["documents"]) if "documents" in data else None
            _EXAMPLES[embedder.identity] = Examples(questions, vectors, in_scope, documents)
        return _EXAMPLES[embedder.identity]


def forget_examples() -> None:
    """Drop the labelled questions kept in memory (calibration has just rewritten them)."""
    with _EXAMPLES_LOCK:
        _EXAMPLES.clear()


def neighbours(question: str, embedder, exclude: str = "", *, named: bool = False, doc_id: str = "") -> float:
    """The ``neighbours`` signal of a question. Not used (0) when the question names its documents: whether
    the library covers the topic is then settled, and what is left is whether those documents say it. Nor
    when its first clause (``doc_id``) is from a document the labelled questions were not written against."""
    if named:
        return 0.0
    labelled = examples(embedder)
    if doc_id and not labelled.labelled_for(doc_id):
        return 0.0
    return labelled.neighbours(np.asarray(embedder.embed_query(question), dtype=np.float32), exclude)


def _first_document(evidence: Evidence) -> str:
    return evidence.clauses[0].doc.doc_id if evidence.clauses else ""


def features(
    evidence: Evidence, question: str, quote_similarity: float, named: bool = False, neighbours: float = 0.0
) -> dict[str, float]:
    """The signals of one question's retrieval, as numbers."""
    top = evidence.clauses[:TOP]
    if not top:
        shape = {"latin": float(is_mostly_latin(question)), "named": float(named), "neighbours": neighbours}
        return dict.fromkeys(FEATURES, 0.0) | shape
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
        "neighbours": neighbours,
    }


def _quoted_clause(evidence: Evidence):
    """The best-covering top clause with a quote: the one whose best sentence the quote signal reads."""
    return max((c for c in evidence.clauses[:TOP] if c.quote), key=lambda c: c.coverage, default=None)


def quote_similarity(evidence: Evidence, embedder) -> float:
    """Cosine similarity of the question and the best quoted sentence of the best-covering top clause."""
    best = _quoted_clause(evidence)
    if best is None:
        return 0.0
    question = np.asarray(embedder.embed_query(evidence.question))
    return float(question @ _passage_vector(embedder, best.quote.best_sentence))


@lru_cache(maxsize=4096)
def _passage_vector(embedder, sentence: str) -> np.ndarray:
    """A sentence's vector, kept: the same best sentences come back across questions."""
    return np.asarray(embedder.embed_documents([sentence])[0])


def exact_features(evidence: Evidence, embedder, *, named: bool = False, exclude: str = "") -> dict[str, float]:
    """Every signal computed, the quote's similarity included (calibration; ``decide`` may skip that one)."""
    near = neighbours(evidence.question, embedder, exclude, named=named, doc_id=_first_document(evidence))
    return features(evidence, evidence.question, quote_similarity(evidence, embedder), named, near)


def decide(evidence: Evidence, embedder, *, named: bool = False, model: ScopeModel | None = None) -> tuple[bool, float]:
    """Whether the library answers the question, and the score the decision rests on.

    ``named``: the question (or the conversation) names the documents the search was scoped to.
    """
    if not evidence.terms or not evidence.clauses:
        return False, 0.0
    model = model or default_model()
    near = neighbours(evidence.question, embedder, named=named, doc_id=_first_document(evidence))
    signals = features(evidence, evidence.question, 0.0, named, near)
    # When the decision is the same at both ends of the range the quote's similarity can take, it cannot
    # change it, and embedding the sentence (the largest cost of a question) is skipped. The score then
    # reads the quoted clause's own similarity in its place, which lies on the same side of the threshold.
    ends = [model.probability(signals | {"quote_similarity": end}) >= model.threshold for end in QUOTE_RANGE]
    if ends[0] == ends[1]:
        best = _quoted_clause(evidence)
        low, high = QUOTE_RANGE  # a clause the dense search did not rank has no similarity of its own
        signals["quote_similarity"] = min(max(best.scores.dense if best else low, low), high)
    else:
        signals["quote_similarity"] = quote_similarity(evidence, embedder)
    probability = model.probability(signals)
    return probability >= model.threshold, round(probability, 4)
