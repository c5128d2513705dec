"""Metrics over a question set (schema: ../shared/eval/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import AssistantError
from assistant.text import normalize
from assistant.types import Answer


@dataclass
class EvalReport:
    answerable: int = 0
    refusable: int = 0
    hit1: int = 0
    hit5: int = 0
    reciprocal_ranks: float = 0.0
    facts: int = 0
    refused: int = 0
    false_refusals: int = 0
    failures: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        a, r = max(self.answerable, 1), max(self.refusable, 1)
        return {
            "hit@1": self.hit1 / a,
            "hit@5": self.hit5 / a,
            "mrr": self.reciprocal_ranks / a,
            "facts": self.facts / a,
            "refusal": self.refused / r if self.refusable else 1.0,
            "false_refusal": self.false_refusals / a,
        }

    def render(self) -> str:
        lines = [f"questions: {self.answerable} answerable, {self.refusable} to refuse"]
        lines += [f"  failure {line}" for line in self.failures]
        lines.append("  ".join(f"{name} {value:.3f}" for name, value in self.metrics().items()))
        return "\n".join(lines)


def load_questions(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AssistantError(f"无法读取问题集 {path}：{error.strerror}") from error
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise AssistantError(f"{path} 第 {number} 行不是合法的 JSON：{error.msg}") from error
    return questions


def _contains_any(text: str, needles: list[str]) -> bool:
    text = normalize(text)
    return any(normalize(n) in text for n in needles)


def evaluate(questions: list[dict], ask: Callable[[str, str], Answer]) -> EvalReport:
    """``ask(question, audience)`` answers; citations are compared after NFKC without whitespace."""
    report = EvalReport()
    for q in questions:
        answer = ask(q["question"], q.get("audience", "resident"))
        if q["expect"] == "refuse":
            report.refusable += 1
            report.refused += not answer.found
            if answer.found:
                report.failures.append(f"{q['id']} answered, should refuse: {q['question']}")
            continue
        report.answerable += 1
        hits = [_contains_any(c.text, q["cite_any"]) for c in answer.citations[:5]]
        rank = hits.index(True) + 1 if any(hits) else 0
        report.hit1 += rank == 1
        report.hit5 += rank > 0
        report.reciprocal_ranks += 1 / rank if rank else 0.0
        facts_ok = answer.found and all(_contains_any(answer.answer, group) for group in q.get("facts", []))
        report.facts += facts_ok
        report.false_refusals += not answer.found
        if not answer.found:
            report.failures.append(f"{q['id']} refused, should answer: {q['question']}")
        elif rank != 1 or not facts_ok:
            cited = ",".join(c.clause for c in answer.citations[:5])
            report.failures.append(
                f"{q['id']} rank {rank or '-'} facts {'ok' if facts_ok else 'missing'} [{cited}]: {q['question']}"
            )
    return report
