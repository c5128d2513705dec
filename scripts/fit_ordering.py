"""Fit the first-clause score (assistant/data/ordering.json) on the tune halves of the question sets.

Every answerable tune row that the retrieval route answers with one clause list (not in parts, not a
comparison of named documents) gives its quoted candidates, with their ``ordering.FEATURES``; a candidate is
right when its text holds one of the row's ``cite_any`` strings. The model is a conditional logit (a logistic
model across each question's candidates, fitted with scipy) on those rows. Before fitting, each set is left
out once and scored by a model fitted on the others: that is the honest figure for questions the fit has not
seen. The validation halves are never read here.

    python scripts/fit_ordering.py tests/data/*_questions.jsonl [--report]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import extractive, ordering  # noqa: E402
from assistant.evaluation import _contains_any, load_questions  # noqa: E402
from assistant.index import ensure_index  # noqa: E402
from assistant.router import build_chain  # noqa: E402
from assistant.settings import Settings  # noqa: E402

OUTPUT = ROOT / "assistant" / "data" / "ordering.json"
PENALTY = 10.0
"""L2 penalty on the standardised weights; 0.1, 1 and 10, each of twenty-one sets left out once: 425, 432, 433
right of 530."""


def collect(chain, path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(features, right) per tune row of ``path`` whose answer was chosen by one ranking."""
    seen: dict = {}
    choose = extractive.ExtractiveAnswerer._choose

    def spy(self, evidence, named):
        if not evidence.lead and not evidence.parts:
            candidates = [c for c in evidence.clauses if c.quote]
            seen["rows"] = ordering.features(evidence, candidates, named)
            seen["texts"] = [c.text for c in candidates]
        return choose(self, evidence, named)

    extractive.ExtractiveAnswerer._choose = spy
    found = []
    try:
        for row in load_questions(path, split="tune")[0]:
            if row.get("expect") != "answer":
                continue
            seen.clear()
            answer = chain.ask(row["question"], row.get("audience", "resident"))
            if answer.kind == "retrieval" and seen.get("texts"):
                right = np.array([_contains_any(text, row.get("cite_any", [])) for text in seen["texts"]])
                found.append((seen["rows"], right))
    finally:
        extractive.ExtractiveAnswerer._choose = choose
    return found


def fit(groups: list[tuple[np.ndarray, np.ndarray]]) -> ordering.OrderModel:
    """Conditional logit: the weights that make a question's right candidates likeliest among its own
    candidates (softmax over each question's candidates), on standardised features with an L2 penalty
    ``PENALTY``. This fits what is used, the first pick; a logistic regression over single candidates
    picked fewer right (each of twenty-one sets left out once: 424 against 433 of 530)."""
    from scipy.optimize import minimize

    xs = np.vstack([x for x, _ in groups])
    mean, scale = xs.mean(axis=0), xs.std(axis=0) + 1e-9
    usable = [((x - mean) / scale, y.astype(bool)) for x, y in groups if y.any() and not y.all()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = PENALTY * w @ w, 2 * PENALTY * w
        for x, right in usable:
            s = x @ w
            e = np.exp(s - s.max())
            p, q = e / e.sum(), e[right] / e[right].sum()
            total += np.log(e.sum()) - np.log(e[right].sum())
            gradient += p @ x - q @ x[right]
        return float(total), gradient

    w = minimize(loss, np.zeros(xs.shape[1]), jac=True, method="L-BFGS-B").x / scale
    return ordering.OrderModel(tuple(float(v) for v in w))


def right_first(model: ordering.OrderModel, groups: list[tuple[np.ndarray, np.ndarray]]) -> int:
    return sum(int(y[int(np.argmax(model.scores(x)))]) for x, y in groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--report", action="store_true", help="only print the scores; write nothing")
    args = parser.parse_args()
    settings = Settings.from_env()
    chain = build_chain(ensure_index(settings, progress=True), settings=settings)
    by_set = {path.name: collect(chain, path) for path in args.questions}
    by_set = {name: groups for name, groups in by_set.items() if groups}
    total = right = current = 0
    for name, groups in by_set.items():
        others = [g for other, rows in by_set.items() if other != name for g in rows]
        left_out = right_first(fit(others), groups)
        now = right_first(ordering.default_model(), groups)
        print(f"{name:32s} rows {len(groups):3d}  right first, left out {left_out:3d}  with the model in use {now:3d}")
        total, right, current = total + len(groups), right + left_out, current + now
    print(f"{'all':32s} rows {total:3d}  right first, left out {right:3d}  with the model in use {current:3d}")
    if args.report:
        return 0
    everything = [g for rows in by_set.values() for g in rows]
    model = fit(everything)
    names = ", ".join(sorted(by_set))
    data = {
        "note": f"Fitted by scripts/fit_ordering.py on the tune halves of {names} ({total} questions), {date.today()}.",
        "weights": dict(zip(ordering.FEATURES, model.weights)),
    }
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {OUTPUT.relative_to(ROOT)}: right first on the tune halves {right_first(model, everything)} of {total}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
