"""Metrics over a question set (schema: ../shared/eval/README.md), overall, per route and per audience.

Over ``answer`` rows: hit@1 / hit@5 / MRR of the citations, hit@1 of the document, facts, false
refusals. Over ``refuse`` rows: the refusal rate. Over ``partial`` rows: no ``forbid`` string, and a
``cite_any`` citation in the first five when found. Over every answer: fabricated numbers (figures
in the answer that are in none of its citations nor in the question).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import AssistantError
from assistant.text import normalize
from assistant.types import Answer

EXPECTS = ("answer", "refuse", "partial")


@dataclass
class Tally:
    """Counts over one group of rows (all, one route or one audience), by name: answerable, refusable and
    partial rows; hit1, hit5, reciprocal_ranks, doc_hit1 over doc_rows, facts and false_refusals over the
    answerable; refused over the refusable; partial_ok over the partial; fabricated over all answers."""

    counts: Counter = field(default_factory=Counter)

    def __getattr__(self, name: str) -> float:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.counts[name]

    def metrics(self) -> dict[str, float]:
        a = max(self.answerable, 1)
        return {
            "hit@1": self.hit1 / a,
            "hit@5": self.hit5 / a,
            "mrr": self.reciprocal_ranks / a,
            "doc@1": self.doc_hit1 / max(self.doc_rows, 1) if self.doc_rows else float("nan"),
            "facts": self.facts / a,
            "refusal": self.refused / self.refusable if self.refusable else float("nan"),
            "false_refusal": self.false_refusals / a,
            "partial": self.partial_ok / self.partial if self.partial else float("nan"),
            "fabricated": float(self.fabricated),
        }

    def line(self) -> str:
        return "  ".join(
            f"{name} {value:.3f}" if name != "fabricated" else f"{name} {int(value)}"
            for name, value in self.metrics().items()
        )


@dataclass
class EvalReport:
    overall: Tally = field(default_factory=Tally)
    by_route: dict[str, Tally] = field(default_factory=dict)
    by_audience: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        return self.overall.metrics()

    def render(self) -> str:
        o = self.overall
        lines = [f"questions: {o.answerable} answerable, {o.refusable} to refuse, {o.partial} partial"]
        lines += [f"  skipped {line}" for line in self.skipped]
        lines += [f"  failure {line}" for line in self.failures]
        for title, groups in (("route", self.by_route), ("audience", self.by_audience)):
            for name, tally in sorted(groups.items()):
                n = tally.answerable + tally.refusable + tally.partial
                lines.append(f"  {title} {name} ({n}): {tally.line()}")
        lines.append(o.line())
        return "\n".join(lines)


def load_questions(path: Path, *, split: str | None = None) -> tuple[list[dict], list[str]]:
    """The rows of a question set, and a message per bad row (skipped, with its line number)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AssistantError(f"无法读取问题集 {path}：{error}") from error
    rows, bad = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            bad.append(f"第 {number} 行不是合法的 JSON：{error.msg}")
            continue
        problem = _problem(row)
        if problem:
            bad.append(f"第 {number} 行{problem}")
            continue
        if split is None or row.get("split") == split:
            rows.append(row)
    if not rows:
        raise AssistantError(f"问题集 {path} 中没有可评测的问题" + (f"（split={split}）" if split else "") + "。")
    return rows, bad


def _problem(row) -> str:
    if not isinstance(row, dict):
        return "不是 JSON 对象"
    turns = row.get("turns")
    if turns is not None:  # a conversation: the last turn is scored, asked after the earlier ones
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            return "的 turns 应为非空的问题列表"
    elif not isinstance(row.get("question"), str) or not row["question"].strip():
        return "缺少 question"
    if row.get("expect") not in EXPECTS:
        return f"的 expect 应为 {'/'.join(EXPECTS)} 之一"
    if row["expect"] != "refuse" and not isinstance(row.get("cite_any"), list):
        return "缺少 cite_any"
    return ""


def _contains_any(text: str, needles: list[str]) -> bool:
    return bool(_found_any(text, needles))


def _found_any(text: str, needles: list[str]) -> list[str]:
    text = normalize(text)
    return [n for n in needles if normalize(n) in text]


def fabricated_numbers(answer: Answer, earlier: str = "") -> set[str]:
    """Figures in the answer that none of its citations (text, number, title) nor the question contains (nor,
    in a conversation, the ``earlier`` questions its follow-up note repeats)."""
    support = normalize(
        earlier + answer.question + "".join(c.text + c.doc_number + c.doc_title for c in answer.citations)
    )
    numbers = set(re.findall(r"\d+", normalize(answer.answer)))
    return {n for n in numbers if n not in support}


def _score(
    tally: Tally, q: dict, answer: Answer, rank: int, facts_ok: bool, doc_ok: bool | None, fabricated: bool
) -> None:
    counts = tally.counts
    counts["answers"] += 1
    counts["fabricated"] += fabricated
    if q["expect"] == "refuse":
        counts["refusable"] += 1
        counts["refused"] += not answer.found
    elif q["expect"] == "partial":
        counts["partial"] += 1
        counts["partial_ok"] += not _contains_any(answer.answer, q.get("forbid", [])) and (not answer.found or rank > 0)
    else:
        counts["answerable"] += 1
        counts["hit1"] += rank == 1
        counts["hit5"] += rank > 0
        counts["reciprocal_ranks"] += 1 / rank if rank else 0.0
        counts["facts"] += facts_ok
        counts["false_refusals"] += not answer.found
        if doc_ok is not None:
            counts["doc_rows"] += 1
            counts["doc_hit1"] += doc_ok


def evaluate(questions: list[dict], ask: Callable[..., Answer]) -> EvalReport:
    """``ask(question, audience)`` answers; strings are compared after NFKC without whitespace. A row with
    ``turns`` is a conversation: each turn is asked as ``ask(question, audience, earlier answers)`` and the
    last is scored."""
    report = EvalReport()
    for q in questions:
        audience = q.get("audience", "resident")
        earlier: list[Answer] = []
        for turn in q.get("turns", [])[:-1]:
            earlier.append(ask(turn, audience, list(earlier)))
        question = q["turns"][-1] if q.get("turns") else q["question"]
        answer = ask(question, audience, earlier) if earlier else ask(question, audience)
        hits = [_contains_any(c.text, q.get("cite_any", [])) for c in answer.citations[:5]]
        rank = hits.index(True) + 1 if any(hits) else 0
        facts_ok = answer.found and all(_contains_any(answer.answer, group) for group in q.get("facts", []))
        docs = [Path(d).stem for d in q.get("docs", [])]
        doc_ok = bool(answer.citations) and answer.citations[0].doc_id in docs if docs else None
        route = answer.kind
        fabricated = fabricated_numbers(answer, "".join(a.question for a in earlier))
        for tally in (
            report.overall,
            report.by_route.setdefault(route, Tally()),
            report.by_audience.setdefault(audience, Tally()),
        ):
            _score(tally, q, answer, rank, facts_ok, doc_ok, bool(fabricated))
        if fabricated:
            report.failures.append(f"{q.get('id')} fabricated numbers {sorted(fabricated)}: {question}")
        if q["expect"] == "refuse" and answer.found:
            report.failures.append(f"{q.get('id')} answered, should refuse: {question}")
        elif q["expect"] == "answer" and not answer.found:
            report.failures.append(f"{q.get('id')} refused, should answer: {question}")
        elif q["expect"] == "partial" and (forbidden := _found_any(answer.answer, q.get("forbid", []))):
            report.failures.append(f"{q.get('id')} partial, states {forbidden}: {question}")
        elif q["expect"] == "partial" and answer.found and not rank:
            cited = ",".join(f"{c.doc_id}:{c.clause}" for c in answer.citations[:3])
            report.failures.append(f"{q.get('id')} partial, cites none of its clauses [{cited}]: {question}")
        elif q["expect"] == "answer" and (rank != 1 or not facts_ok):
            cited = ",".join(f"{c.doc_id}:{c.clause}" for c in answer.citations[:3])
            report.failures.append(
                f"{q.get('id')} rank {rank or '-'} facts {'ok' if facts_ok else 'missing'} [{cited}]: {question}"
            )
    return report
