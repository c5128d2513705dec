"""Checks a model's reply sentence by sentence against the clauses it cites. Pure functions, no I/O.

A sentence is kept only when
- it carries at least one ``[n]`` and every ``[n]`` names a clause it was given (1..k);
- every figure in it (number, date, amount, percentage, fraction, 文号, 第N条) occurs in a clause it
  cites with the same value and unit, Arabic or Chinese numerals alike (``三十日`` = ``30日``); a
  figure written without a unit needs the same value there;
- every quotation (“…” "…" 「…」 『…』) and every 《title》 occurs verbatim in a clause it cites.

What a clause supports is its text plus the names it is cited by (title, 文号, clause reference),
compared after NFKC with whitespace removed. Sentences of a clause that read as instructions to the
assistant (``忽略以上规则…``) support nothing: a document is data, and a reply that repeats what a
planted instruction says has no ground to stand on.

Figures are read by ``assistant.figures``; sentences and their marks by ``assistant.reply``, whose
``take_complete`` is re-exported here for the streaming answerer and the benchmark.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from assistant.figures import Figure, figures
from assistant.questions import INSTRUCTION_ATTACKS
from assistant.reply import Sentence, cited_numbers, has_content, split_sentences, strip_markers
from assistant.reply import take_complete as take_complete
from assistant.text import SENTENCE_END, normalize

_QUOTE = re.compile(r"“([^”]*)”|\"([^\"]*)\"|「([^」]*)」|『([^』]*)』")
_TITLE = re.compile(r"《([^》]+)》")
_ENUMERATION = re.compile(
    r"^(?:[-*•·>#]+|\d{1,2}[.、)](?!\d)|\(\d{1,2}\)|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\*\*)+"
)


@dataclass(frozen=True)
class Source:
    """What one ``[n]`` may rest on: the clause text and the names it is cited by."""

    text: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """A source prepared once per answer: normalised text, its figures (value, unit), and their values
    (a 文号 adds its year and serial)."""

    support: str
    figures: frozenset[tuple[Fraction | tuple[int, int], str]]
    values: frozenset[Fraction]


@dataclass(frozen=True)
class SentenceCheck:
    """The verdict on one sentence: the clause numbers it cites and what could not be verified."""

    sentence: Sentence
    cited: tuple[int, ...]
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Verification:
    """The verdicts on a whole reply, in order."""

    checks: tuple[SentenceCheck, ...] = field(default_factory=tuple)

    @property
    def kept(self) -> list[SentenceCheck]:
        return [check for check in self.checks if check.ok]

    def sufficient(self, *, min_kept: int = 1, min_kept_ratio: float = 0.4) -> bool:
        """Enough survived to stand as an answer: at least ``min_kept`` sentences and that share of all."""
        kept = len(self.kept)
        return kept >= min_kept and kept >= min_kept_ratio * len(self.checks)


def prepare(source: Source) -> Evidence:
    """A source as evidence: instruction-like sentences removed, then normalised and its figures found."""
    text = unicodedata.normalize("NFKC", source.text)
    kept = []
    for sentence in _sentences_of(text):
        if not any(pattern.search(sentence.lower()) for pattern in INSTRUCTION_ATTACKS):
            kept.append(sentence)
    support = normalize("\n".join([*source.names, "".join(kept)]))
    found = figures(support, strict=False)
    values = {f.value for f in found if f.unit != "文号"}
    values.update(Fraction(n) for f in found if f.unit == "文号" for n in f.value)  # its year and serial
    return Evidence(support=support, figures=frozenset((f.value, f.unit) for f in found), values=frozenset(values))


def _sentences_of(text: str) -> list[str]:
    parts, cursor = [], 0
    for match in SENTENCE_END.finditer(text):
        parts.append(text[cursor : match.end()])
        cursor = match.end()
    parts.append(text[cursor:])
    return [part for part in parts if part.strip()]


def check_sentence(sentence: Sentence, evidence: Sequence[Evidence]) -> SentenceCheck:
    """Whether one sentence is carried by the clauses it cites (``evidence[n - 1]`` for ``[n]``)."""
    cited = cited_numbers(sentence.text)
    if not cited:
        return SentenceCheck(sentence, cited, ("没有标注来源",))
    unknown = [n for n in cited if not 1 <= n <= len(evidence)]
    if unknown:
        return SentenceCheck(sentence, cited, tuple(f"引用了不存在的条款[{n}]" for n in unknown))
    sources = [evidence[n - 1] for n in cited]
    body = normalize(_ENUMERATION.sub("", strip_markers(sentence.text).strip()))
    problems: list[str] = []
    for match in _QUOTE.finditer(body):
        quoted = next(group for group in match.groups() if group is not None)
        if quoted and not any(quoted in source.support for source in sources):
            problems.append(f"引文“{quoted}”不在所引条款中")
    for match in _TITLE.finditer(body):
        if not any(match[1] in source.support for source in sources):
            problems.append(f"《{match[1]}》不在所引条款中")
    for figure in figures(body):
        if not any(_supports(source, figure) for source in sources):
            problems.append(f"“{figure.text}”不在所引条款中")
    return SentenceCheck(sentence, cited, tuple(problems))


def _supports(evidence: Evidence, figure: Figure) -> bool:
    if figure.unit:
        return (figure.value, figure.unit) in evidence.figures
    return figure.value in evidence.values


def verify(reply: str, sources: Sequence[Source]) -> Verification:
    """Every sentence of a reply checked against the numbered sources (``[1]`` is ``sources[0]``)."""
    evidence = [prepare(source) for source in sources]
    sentences = [s for s in split_sentences(reply) if has_content(s)]
    return Verification(tuple(check_sentence(sentence, evidence) for sentence in sentences))
