"""Fit the scope decision (assistant/data/scope.json) on the tune halves of the question sets.

Rows whose expect is ``answer`` or ``partial`` are in scope (the library has a rule to quote), rows
whose expect is ``refuse`` are not. Only rows that take the retrieval route count: clause look-ups,
metadata questions and refused instructions are decided by their routes. The model is scikit-learn's
logistic regression on standardised features (class weights balanced); the threshold is the one that
minimises the balanced error (false-refusal rate + wrong-answer rate) on the tune half, ties broken
towards 0.5. The tune half's retrieval-route questions are also written, with their labels and vectors,
to assistant/data/scope_examples.json/.npy: the ``neighbours`` signal compares a question with them
(each tune question is scored without itself). The validation half is only scored, never fitted: run with ``--report`` to print both
halves side by side. ``--cache FILE`` keeps the computed features, so refitting takes a second.
``--examples-only`` rewrites only the labelled questions, keeping the weights: the neighbours signal then
compares with every tune half, while the weights stay those fitted on the sets named in scope.json's note.

    python scripts/calibrate_scope.py tests/data/*_questions.jsonl [--report] [--cache /tmp/f.json]
    python scripts/calibrate_scope.py tests/data/*_questions.jsonl --examples-only

Every set given is split the same way (``scripts/split_questions.py``); their tune halves are fitted
together, and each validation half is only scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import scope  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.index import ensure_index  # noqa: E402
from assistant.router import build_chain  # noqa: E402
from assistant.scope import FEATURES, ScopeModel  # noqa: E402
from assistant.settings import Settings  # noqa: E402

OUTPUT = ROOT / "assistant" / "data" / "scope.json"


def write_examples(chain, rows: list[dict]) -> None:
    """The tune half's retrieval-route questions, labelled, with the answering embedder's vectors."""
    kept = [row for row in rows if chain.route(row["question"], row.get("audience", "resident")) == "retrieval"]
    questions = [row["question"] for row in kept]
    embedder = chain.index.embedder
    data = {
        "note": "Tune-half questions of the retrieval route, labelled; written by scripts/calibrate_scope.py.",
        "model": embedder.identity,
        "documents": sorted(chain.library.by_id),  # what the labels speak of (scope.Examples.labelled_for)
        "questions": questions,
        "in_scope": [row["expect"] != "refuse" for row in kept],
    }
    (OUTPUT.parent / scope.EXAMPLES).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    np.save(OUTPUT.parent / scope.EXAMPLE_VECTORS, embedder.embed_queries(questions).astype(np.float16))
    scope.forget_examples()


def collect(chain, rows: list[dict], *, own: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels; ``own``: the rows are the examples themselves, each scored without itself."""
    xs, ys = [], []
    for row in rows:
        exclude = row["question"] if own else ""
        found = chain.scope_features(row["question"], row.get("audience", "resident"), exclude=exclude)
        if found is None:
            continue
        xs.append([found[name] for name in FEATURES])
        ys.append(0 if row["expect"] == "refuse" else 1)
    return np.array(xs), np.array(ys)


def confusion(model: ScopeModel, xs: np.ndarray, ys: np.ndarray) -> str:
    probabilities = np.array([model.probability(dict(zip(FEATURES, x))) for x in xs])
    accepted = probabilities >= model.threshold
    in_scope, out = ys == 1, ys == 0
    false_refusal = (~accepted & in_scope).sum() / max(in_scope.sum(), 1)
    refusal = (~accepted & out).sum() / max(out.sum(), 1)
    return f"n={len(ys)} in-scope={in_scope.sum()} out={out.sum()}  false_refusal {false_refusal:.3f}  refusal {refusal:.3f}"


def _strength(xs: np.ndarray, ys: np.ndarray) -> float:
    """The regularisation strength C chosen by 5-fold cross-validation inside the tune half."""
    from sklearn.linear_model import LogisticRegressionCV

    search = LogisticRegressionCV(
        Cs=[0.03, 0.1, 0.3, 1.0, 3.0, 10.0], cv=5, class_weight="balanced", scoring="balanced_accuracy", max_iter=2000
    )
    search.fit(xs, ys)
    return float(search.C_[0])


def fit(xs: np.ndarray, ys: np.ndarray) -> ScopeModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = xs.mean(axis=0), xs.std(axis=0) + 1e-9
    strength = _strength((xs - mean) / scale, ys)
    print(f"C = {strength} (5-fold cross-validation on the tune half)")
    regression = LogisticRegression(class_weight="balanced", C=strength, max_iter=1000).fit((xs - mean) / scale, ys)
    weights = regression.coef_[0] / scale
    bias = float(regression.intercept_[0] - (regression.coef_[0] * mean / scale).sum())
    model = ScopeModel(tuple(float(w) for w in weights), bias, 0.5)
    best = None
    for threshold in np.arange(0.05, 0.96, 0.01):
        candidate = ScopeModel(model.weights, model.bias, float(threshold))
        probabilities = np.array([candidate.probability(dict(zip(FEATURES, x))) for x in xs])
        false_refusal = ((probabilities < threshold) & (ys == 1)).sum() / max((ys == 1).sum(), 1)
        wrong_answer = ((probabilities >= threshold) & (ys == 0)).sum() / max((ys == 0).sum(), 1)
        key = (round(false_refusal + wrong_answer, 6), abs(threshold - 0.5))
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1]


def _chain():
    settings = Settings.from_env()
    return build_chain(ensure_index(settings, progress=True), settings=settings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--report", action="store_true", help="only score the current model on both halves")
    parser.add_argument("--cache", type=Path, help="read (or write) the computed features here")
    parser.add_argument(
        "--examples-only",
        action="store_true",
        help="only rewrite the labelled questions the neighbours signal compares with; keep the fitted weights",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.examples_only:
        write_examples(_chain(), [row for path in args.questions for row in load_questions(path, split="tune")[0]])
        print(f"({time.perf_counter() - started:.0f} s)")
        return 0
    if args.cache and args.cache.exists():
        cached = json.loads(args.cache.read_text(encoding="utf-8"))
        tune_x, tune_y, validation_x, validation_y = (np.array(cached[k]) for k in ("tx", "ty", "vx", "vy"))
    else:
        chain = _chain()
        tune_rows = [row for path in args.questions for row in load_questions(path, split="tune")[0]]
        if not args.report:
            write_examples(chain, tune_rows)
        tune_x, tune_y = collect(chain, tune_rows, own=True)
        validation_rows = [row for path in args.questions for row in load_questions(path, split="validation")[0]]
        validation_x, validation_y = collect(chain, validation_rows)
        if args.cache:
            arrays = {"tx": tune_x, "ty": tune_y, "vx": validation_x, "vy": validation_y}
            args.cache.write_text(json.dumps({k: v.tolist() for k, v in arrays.items()}), encoding="utf-8")
    if args.report:
        from assistant.scope import default_model

        model = default_model()
    else:
        model = fit(tune_x, tune_y)
        OUTPUT.write_text(
            json.dumps(
                {
                    "note": f"Fitted by scripts/calibrate_scope.py on the tune halves of "
                    f"{', '.join(path.name for path in args.questions)} "
                    f"({len(tune_y)} retrieval-route rows), {time.strftime('%Y-%m-%d')}.",
                    "weights": dict(zip(FEATURES, model.weights)),
                    "bias": model.bias,
                    "threshold": model.threshold,
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    print(f"tune        {confusion(model, tune_x, tune_y)}")
    print(f"validation  {confusion(model, validation_x, validation_y)}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
