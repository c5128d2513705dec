"""The scope decision and the evaluation metrics in isolation: no model, no index."""

import json
from collections import Counter

from assistant.evaluation import Tally, fabricated_numbers, load_questions
from assistant.scope import FEATURES, ScopeModel, default_model
from assistant.settings import PROJECT_ROOT
from assistant.types import Answer, Citation


def test_scope_weights_are_data_with_every_feature():
    data = json.loads((PROJECT_ROOT / "assistant" / "data" / "scope.json").read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert 0.0 < data["threshold"] < 1.0
    model = default_model()
    assert len(model.weights) == len(FEATURES)


def test_more_evidence_raises_the_score():
    model = default_model()
    weak = dict.fromkeys(FEATURES, 0.0)
    strong = weak | {"coverage": 1.0, "dense": 0.9, "quote_similarity": 0.9, "agree": 1.0, "bm25": 3.0}
    assert model.probability(strong) > model.threshold > model.probability(weak)


def test_probability_is_a_logistic_of_the_weighted_sum():
    model = ScopeModel(tuple(1.0 if name == "coverage" else 0.0 for name in FEATURES), 0.0, 0.5)
    features = dict.fromkeys(FEATURES, 0.0)
    assert model.probability(features) == 0.5
    assert abs(model.probability(features | {"coverage": 2.0}) - 0.8808) < 1e-3


def _citation(text: str) -> Citation:
    return Citation(
        doc_title="社会团体登记管理条例",
        doc_number="国务院令第250号",
        clause="第十条",
        heading="",
        text=text,
        score=1.0,
    )


def test_fabricated_numbers_are_figures_no_citation_or_question_holds():
    answer = Answer(
        "要多少会员？",
        "有50个以上的个人会员；另需80万元。建议拨打 12345 咨询。",
        True,
        [_citation("有50个以上的个人会员")],
    )
    assert fabricated_numbers(answer) == {"80", "12345"}  # a hotline no citation gives is a figure too
    honest = Answer("第250号令是什么？", "国务院令第250号", True, [_citation("无关")])
    assert fabricated_numbers(honest) == set()


def test_bad_rows_are_reported_by_line_and_the_rest_kept(tmp_path):
    path = tmp_path / "set.jsonl"
    rows = [
        '{"question": "a", "expect": "refuse"}',
        "not json",
        '"a string"',
        '{"expect": "answer", "cite_any": []}',
        "",
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    kept, bad = load_questions(path)
    assert [r["question"] for r in kept] == ["a"]
    assert [b.split(" ")[1] for b in bad] == ["2", "3", "4"]


def test_tally_metrics_count_only_their_own_rows():
    tally = Tally(Counter(answerable=4, hit1=3, hit5=4, facts=2, refusable=2, refused=1, partial=0))
    metrics = tally.metrics()
    assert (metrics["hit@1"], metrics["hit@5"], metrics["facts"], metrics["refusal"]) == (0.75, 1.0, 0.5, 0.5)
    assert metrics["partial"] != metrics["partial"]  # nan: no partial rows, not a perfect score


def test_neighbours_compare_the_nearest_labelled_questions_of_each_side():
    import numpy as np

    from assistant.scope import NEIGHBOURS, Examples

    vectors = np.eye(4, dtype=np.float32)
    labelled = Examples(("a", "b", "c", "d"), vectors, np.array([True, True, False, False]))
    assert NEIGHBOURS >= 1
    near_in = labelled.neighbours(np.array([1, 0, 0, 0], dtype=np.float32))
    near_out = labelled.neighbours(np.array([0, 0, 1, 0], dtype=np.float32))
    assert near_in > 0 > near_out
    # A labelled question is scored without itself: its own label may not vouch for it.
    assert labelled.neighbours(np.array([1, 0, 0, 0], dtype=np.float32), exclude="a") < near_in


def test_labelled_examples_are_the_tune_half_only():
    from assistant.scope import EXAMPLES

    data = json.loads((PROJECT_ROOT / "assistant" / "data" / EXAMPLES).read_text(encoding="utf-8"))
    rows, _ = load_questions(PROJECT_ROOT / "tests" / "data" / "library_questions.jsonl")
    tune, _ = load_questions(PROJECT_ROOT / "tests" / "data" / "library_questions.jsonl", split="tune")
    held_out = {r["question"] for r in rows} - {r["question"] for r in tune}
    assert data["questions"] and not set(data["questions"]) & held_out
    assert len(data["in_scope"]) == len(data["questions"]) and not all(data["in_scope"])


def test_the_labels_speak_only_of_the_documents_they_were_written_against():
    """The labelled questions call 低保 out of scope for the bundled library; a document added later (a user's
    own 低保 notice) was not there, so their labels say nothing of it and the signal is left out for it."""
    import numpy as np

    from assistant.scope import EXAMPLES, Examples

    data = json.loads((PROJECT_ROOT / "assistant" / "data" / EXAMPLES).read_text(encoding="utf-8"))
    bundled = {p.stem for p in (PROJECT_ROOT / "corpus").rglob("*.txt")}
    assert set(data["documents"]) == bundled
    labelled = Examples(("a",), np.eye(1, dtype=np.float32), np.array([True]), frozenset(data["documents"]))
    assert labelled.labelled_for("cishan_fa_2023") and not labelled.labelled_for("dibao")
    assert Examples(("a",), np.eye(1, dtype=np.float32), np.array([True])).labelled_for("dibao")  # not recorded
