"""The first-clause score: its data, its features, and the fit that makes it."""

import importlib.util
import json
import math

import numpy as np

from assistant import ordering
from assistant.ordering import FEATURES, OrderModel
from assistant.settings import PROJECT_ROOT


def _fit_script():
    spec = importlib.util.spec_from_file_location("fit_ordering", PROJECT_ROOT / "scripts" / "fit_ordering.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ordering_data_weighs_every_feature_and_nothing_else():
    data = json.loads((PROJECT_ROOT / "assistant" / "data" / "ordering.json").read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert all(math.isfinite(w) for w in data["weights"].values()) and any(data["weights"].values())
    assert ordering.default_model().weights == tuple(float(data["weights"][name]) for name in FEATURES)


def test_each_candidate_gets_one_row_of_features_in_the_order_named():
    """Place, coverage and the named document land in their columns, so the weights mean what they say."""
    from langchain_core.documents import Document

    from assistant.documents import ChunkMeta
    from assistant.evidence import TermStats, gather
    from assistant.types import PolicyDocument

    first, second = "第一条 社会团体应当有50个以上的个人会员。", "第二条 基金会的原始基金不低于800万元。"
    docs = {
        d: PolicyDocument(doc_id=d, source=f"{d}.txt", content_hash=d, title=d, text=text)
        for d, text in (("a", first), ("b", second))
    }

    def retrieved(doc_id: str, clause: str) -> Document:
        text = docs[doc_id].text
        meta = ChunkMeta(doc_id, doc_id, "", "行政法规", "现行有效", "clause", clause, "", clause, 0, len(text))
        return Document(page_content=text, metadata=meta.to_metadata())

    question = "社会团体要多少个人会员"
    found = [retrieved("b", "第二条"), retrieved("a", "第一条")]
    evidence = gather(question, found, docs, TermStats([first, second]), ("人",))
    candidates = [c for c in evidence.clauses if c.quote]
    rows = ordering.features(evidence, candidates, ["a"])
    column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    assert rows.shape == (len(candidates), len(FEATURES))
    assert list(column["place"]) == [evidence.clauses.index(c) for c in candidates]
    assert list(column["coverage"]) == [c.coverage for c in candidates]
    assert list(column["named"]) == [c.doc.doc_id == "a" for c in candidates]
    assert max(column["coverage_share"]) == 1.0
    only_named = OrderModel(tuple(float(name == "named") for name in FEATURES))
    assert candidates[int(np.argmax(only_named.scores(rows)))].doc.doc_id == "a"


def test_the_fit_learns_which_candidates_are_right_from_their_features():
    """Conditional logit over each question's candidates: the right one is the candidate best on one feature
    (another feature is noise), and the fitted weights pick it in nearly every question they were not fitted on."""
    fit_ordering = _fit_script()
    rng = np.random.default_rng(0)
    useful = FEATURES.index("quote_share")

    def questions(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
        groups = []
        for _ in range(count):
            x = rng.normal(size=(5, len(FEATURES)))
            groups.append((x, x[:, useful] == x[:, useful].max()))
        return groups

    model = fit_ordering.fit(questions(200))
    assert model.weights[useful] == max(model.weights, key=abs)
    unseen = questions(100)
    assert fit_ordering.right_first(model, unseen) >= 90  # a blind pick: about 20
