"""Assign the tune/validation split of tests/data/library_questions.jsonl.

How the split is made: rows are grouped by their ``expect`` value (answer, partial,
refuse), groups taken in sorted order; within each group the ids are sorted, then
shuffled with one ``random.Random(20261128)`` generator shared across the groups.
The first half of each shuffled group (rounded up) is marked ``"split": "tune"``,
the rest ``"split": "validation"``. The script reads the file, sets ``split`` on
every row and rewrites it in its original row order, so running it again gives the
same result (idempotent).

Usage: python scripts/split_questions.py [path]
"""

import json
import math
import random
import sys
from pathlib import Path

SEED = 20261128
DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "library_questions.jsonl"


def assign(rows):
    rng = random.Random(SEED)
    groups = {}
    for row in rows:
        groups.setdefault(row["expect"], []).append(row["id"])
    split = {}
    for expect in sorted(groups):
        ids = sorted(groups[expect])
        rng.shuffle(ids)
        n_tune = math.ceil(len(ids) / 2)
        for k, qid in enumerate(ids):
            split[qid] = "tune" if k < n_tune else "validation"
    for row in rows:
        row["split"] = split[row["id"]]
    return rows


def main(path=DEFAULT):
    path = Path(path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assign(rows)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    counts = {}
    for r in rows:
        counts[(r["expect"], r["split"])] = counts.get((r["expect"], r["split"]), 0) + 1
    print(len(rows), "rows;", ", ".join(f"{e}/{s}: {n}" for (e, s), n in sorted(counts.items())))


if __name__ == "__main__":
    main(*sys.argv[1:])
