"""Leave-one-out audit of assistant/data/synonyms.tsv on the tune halves of the project's question sets.

For each entry: how many questions of all sets (both halves, tests/data and ../shared/eval) contain its
everyday phrase, and which tune questions change outcome when the entry alone is left out (only the
questions that contain the phrase are asked again). An entry that helps one question and occurs in no
other is one question's rule, not vocabulary. The jieba dictionary and the speller keep the entry: the
audit measures the query side (expansion, English composition, compared terms), where entries act.

Usage: python scripts/vocabulary_audit.py  (needs the built index; about a minute after loading)
"""

import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import assistant.text as text
from assistant.evaluation import evaluate
from assistant.index import ensure_index
from assistant.router import build_chain
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OWN = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
DEV = sorted((ROOT.parent / "shared" / "eval").glob("*.jsonl"))
OUTCOMES = ("hit1", "hit5", "facts", "refused", "partial_ok")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lowered(row: dict) -> str:
    """A row's question, or a conversation's turns, as a question is matched against everyday phrases."""
    return unicodedata.normalize("NFKC", row.get("question") or " ".join(row.get("turns", []))).lower()


def main() -> int:
    questions = {f"{path.stem}:{row.get('id')}": row for path in OWN + DEV for row in _rows(path)}
    tune = {f"{p.stem}:{r.get('id')}": r for p in OWN for r in _rows(p) if r.get("split", "tune") == "tune"}
    settings = Settings.from_env()
    chain = build_chain(ensure_index(settings), settings=settings)

    def outcome(row: dict) -> tuple[int, ...]:
        def ask(question, audience, earlier=()):  # a conversation's turns are asked after the earlier answers
            return chain.ask(question, audience, history=[chain.turn(a) for a in earlier])

        counts = evaluate([row], ask).overall.counts
        return tuple(counts.get(k, 0) for k in OUTCOMES) + (-counts.get("false_refusals", 0),)

    read = text._data_lines
    entries = [line.split("\t", 1)[0] for line in read("synonyms.tsv")]
    baseline: dict[str, tuple[int, ...]] = {}
    verdicts = Counter()
    for phrase in entries:
        key = phrase.lower()
        holding = [k for k, row in questions.items() if key in _lowered(row)]
        asked = [k for k in holding if k in tune]
        for k in asked:
            baseline.setdefault(k, outcome(tune[k]))
        text._data_lines = lambda name, p=phrase: [
            line for line in read(name) if name != "synonyms.tsv" or line.split("\t", 1)[0] != p
        ]
        text.synonyms.cache_clear()
        try:
            change = {k: sum(baseline[k]) - sum(outcome(tune[k])) for k in asked}
        finally:
            text._data_lines = read
            text.synonyms.cache_clear()
        helps = [k for k, d in change.items() if d > 0]
        hurts = [k for k, d in change.items() if d < 0]
        if len(holding) <= 1 and helps:
            verdict = "one question"
        elif helps:
            verdict = "helps"
        elif hurts:
            verdict = "only hurts"
        elif not holding:
            verdict = "in no question"
        else:
            verdict = "no change"
        verdicts[verdict] += 1
        print(
            f"{verdict:14s} {phrase:24s} in {len(holding):3d} questions ({len(asked)} tune)  helps {helps}  hurts {hurts}"
        )
    print(f"{len(entries)} entries: " + ", ".join(f"{v} {n}" for v, n in verdicts.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
