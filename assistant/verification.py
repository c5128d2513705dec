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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from assistant.questions import INSTRUCTION_ATTACKS
from assistant.text import SENTENCE_END, normalize

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"
# Longest first. A unit makes a Chinese numeral a figure (三十日) and is compared with the value.
_UNITS = (
    "个工作日|工作日|个月|个百分点|百分点|周岁|年度|季度|小时|分钟|平方米|公里|部分|"
    "元|年|月|日|天|周|岁|%|倍|人|名|个|家|次|项|条|款|章|节|号|届|户|类|种|级|批|期|点|所|座|台"
)
_UNIT_ALIASES = {"天": "日", "个工作日": "工作日", "周岁": "岁", "个百分点": "百分点"}
# Counted once (一个, 一项) these read as articles, not figures.
_ARTICLE_UNITS = frozenset("个项次家名人条款类种级批期点所座台户届号节章") | {"部分"}
_ORDINAL_UNITS = frozenset("条款项章节号点") | {"部分"}

_FIGURE = re.compile(
    r"(?P<docno>[〔\[(【](?P<year>(?:19|20)\d\d)[〕\])】]第?(?P<serial>\d+)号)"
    rf"|百分之(?P<percent>[{_CN}点.\d]+)"
    rf"|(?P<den>[{_CN}\d]+)分之(?P<num>[{_CN}\d]+)"
    rf"|(?P<ord>第)?(?:(?P<arabic>\d+(?:,\d{{3}})*(?:\.\d+)?)(?P<mult>[万亿千百]*)|(?P<cn>[{_CN}]+))(?P<unit>{_UNITS})?"
)
# [1] [1,3] [2-4] ［１］ 【2】, not [2016]191号: square brackets also hold the year of a 文号.
_MARKER = re.compile(r"[\[［]([0-9０-９]+(?:[,，、\-~–][0-9０-９]+)*)[\]］](?!第?[0-9０-９]+号)|【([0-9０-９]+)】")
_QUOTE = re.compile(r"“([^”]*)”|\"([^\"]*)\"|「([^」]*)」|『([^』]*)』")
_TITLE = re.compile(r"《([^》]+)》")
_ENUMERATION = re.compile(
    r"^(?:[-*•·>#]+|\d{1,2}[.、)](?!\d)|\(\d{1,2}\)|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\*\*)+"
)
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
# A sentence: quoted runs kept whole, up to 。！？ (and closing marks), then any [n] written after it.
_SENTENCE = re.compile(
    r"(?:“[^”\n]*”|「[^」\n]*」|『[^』\n]*』|[^。！？!?\n“「『])+"
    r"(?:[。！？!?]+[”’」』)）]*)?(?:[ \t]*(?:\[[\d,，、\s\-~–]+\]|【\d+】|［[\d，、\s]+］))*"
    r"|[。！？!?]+"
)
_UNDECIDED_TAIL = re.compile(r"[\s\[\]【】［］\d０-９,，、\-~–]*")


class Figure(NamedTuple):
    """A number as a value and its unit (``第条`` for an ordinal, ``文号`` for a document number)."""

    value: Fraction | tuple[int, int]
    unit: str
    text: str


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
class Sentence:
    """One sentence of a reply; ``line_end`` when a line break followed it."""

    text: str
    line_end: bool = False


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


def chinese_value(numeral: str) -> int | None:
    """``三十`` → 30, ``一百零五`` → 105, ``五万`` → 50000, ``二〇一六`` → 2016; None if not a numeral."""
    if not numeral or any(ch not in _CN for ch in numeral):
        return None
    if not any(ch in _SMALL_UNIT or ch in _BIG_UNIT for ch in numeral):
        return int("".join(str(_DIGIT[ch]) for ch in numeral))  # read digit by digit: 二〇一六
    total = section = digit = 0
    for ch in numeral:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL_UNIT:
            section += (digit or 1) * _SMALL_UNIT[ch]
            digit = 0
        else:
            total = (total + section + digit) * _BIG_UNIT[ch]
            section = digit = 0
    return total + section + digit


def _number(text: str) -> Fraction | None:
    """Arabic, Chinese or a decimal written in either (``十二点五``)."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Fraction(text)
    whole, _, decimals = text.partition("点")
    value = chinese_value(whole)
    if value is None:
        return None
    if decimals:
        digits = "".join(str(_DIGIT.get(ch, "")) for ch in decimals)
        return Fraction(f"{value}.{digits}") if digits else None
    return Fraction(value)


def _multiplier(text: str) -> int:
    factor = 1
    for ch in text:
        factor *= {"百": 100, "千": 1000, **_BIG_UNIT}[ch]
    return factor


def figures(text: str, *, strict: bool = True) -> list[Figure]:
    """The figures of a normalised text.

    ``strict`` (a reply sentence) skips Chinese numerals that are words rather than figures (一般,
    统一, 一个, 十分, 万一, 三社联动); a clause's text is read with ``strict=False`` so that every
    figure a sentence may rest on is found.
    """
    found: list[Figure] = []
    for match in _FIGURE.finditer(text):
        whole = match.group(0)
        if match["docno"]:
            found.append(Figure((int(match["year"]), int(match["serial"])), "文号", whole))
        elif match["percent"]:
            value = _number(match["percent"].replace(".", "点"))
            if value is not None:
                found.append(Figure(value, "%", whole))
        elif match["den"]:
            den, num = _number(match["den"]), _number(match["num"])
            if den and num is not None:
                found.append(Figure(num / den, "分之", whole))
        else:
            figure = _plain_figure(match, strict=strict)
            if figure:
                found.append(figure)
    return found


def _plain_figure(match: re.Match, *, strict: bool) -> Figure | None:
    unit = _UNIT_ALIASES.get(match["unit"] or "", match["unit"] or "")
    ordinal = bool(match["ord"])
    if ordinal and unit not in _ORDINAL_UNITS:
        ordinal, unit = False, ""  # 第一，… is an enumeration; 第一次 counts
    if match["arabic"]:
        value = Fraction(match["arabic"].replace(",", "")) * _multiplier(match["mult"])
    else:
        numeral = match["cn"]
        value = chinese_value(numeral)
        if value is None:
            return None
        if strict and not ordinal:
            has_multiplier = any(ch in "十百千万亿" for ch in numeral)
            if numeral[0] in "百千万亿" or numeral in ("一", "两") and unit in _ARTICLE_UNITS:
                return None
            if not unit and not (has_multiplier and len(numeral) > 1):
                return None
        value = Fraction(value)
    return Figure(value, ("第" + unit) if ordinal else unit, match.group(0))


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


def split_sentences(reply: str) -> list[Sentence]:
    """The sentences of a reply, each with the ``[n]`` written after its full stop."""
    sentences, _ = take_complete(reply, final=True)
    return sentences


def take_complete(buffer: str, *, final: bool = False) -> tuple[list[Sentence], str]:
    """The sentences of a streamed reply that are complete, and the rest to wait on.

    A sentence is complete once something other than a citation mark or a line break follows it:
    until then, a ``[n]`` written after its full stop may still be on its way.
    """
    sentences: list[Sentence] = []
    cursor = 0
    for line in re.finditer(r"[^\n]*\n|[^\n]+$", buffer):
        if not line.group(0).endswith("\n") and not final:
            break  # the last line may still grow
        body = line.group(0).rstrip("\n")
        pieces = [m for m in _SENTENCE.finditer(body) if m.group(0).strip()]
        for index, piece in enumerate(pieces):
            text = piece.group(0).strip()
            sentences.append(Sentence(text, line_end=index == len(pieces) - 1))
        cursor = line.end()
    if final or cursor == len(buffer):
        return sentences, buffer[cursor:]
    tail = buffer[cursor:]
    pieces = [m for m in _SENTENCE.finditer(tail) if m.group(0).strip()]
    base = cursor
    for piece in pieces:
        rest = tail[piece.end() :]
        ended = re.search(r"[。！？!?][”’」』)）]*[^\S\n]*(?:\[[^\]]*\]|【[^】]*】|［[^］]*］)*$", piece.group(0))
        if not ended or _UNDECIDED_TAIL.fullmatch(rest):
            return sentences, tail[piece.start() :]
        sentences.append(Sentence(piece.group(0).strip()))
        cursor = base + piece.end()
    return sentences, buffer[cursor:]


def cited_numbers(sentence: str) -> tuple[int, ...]:
    """The clause numbers a sentence cites: ``[1]``, ``[1,3]``, ``[2-4]``, ``【2】``, in order, once each."""
    numbers: list[int] = []
    for match in _MARKER.finditer(sentence):
        numbers.extend(n for n in _marker_numbers(match) if n not in numbers)
    return tuple(numbers)


def _marker_numbers(match: re.Match) -> list[int]:
    numbers: list[int] = []
    marks = next(group for group in match.groups() if group)
    for part in re.split(r"[,、]", unicodedata.normalize("NFKC", marks)):
        low, _, high = re.sub(r"[~–]", "-", part).partition("-")
        numbers.extend(range(int(low), int(high) + 1) if high and 0 <= int(high) - int(low) < 20 else [int(low)])
    return numbers


def strip_markers(sentence: str) -> str:
    """The sentence without its ``[n]`` marks, NFKC-normalised."""
    return unicodedata.normalize("NFKC", _MARKER.sub("", sentence))


def replace_markers(sentence: str, tag: Callable[[int], str]) -> str:
    """The sentence with each ``[n]`` replaced by ``tag(n)``; marks after the full stop move before it."""
    text = sentence.strip()
    end = re.search(rf"[。！？!?]+[”’」』)）]*(?=(?:[ \t]*(?:{_MARKER.pattern}))+$)", text)
    if end:
        text = text[: end.start()] + text[end.end() :].strip() + end.group(0)
    return re.sub(rf"[ \t]*(?:{_MARKER.pattern})", lambda match: "".join(tag(n) for n in _marker_numbers(match)), text)


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


def has_content(sentence: Sentence) -> bool:
    """Whether a sentence says anything (a stray mark or a lone ``[1]`` is not a sentence)."""
    return bool(_CONTENT.search(strip_markers(sentence.text)))


def verify(reply: str, sources: Sequence[Source]) -> Verification:
    """Every sentence of a reply checked against the numbered sources (``[1]`` is ``sources[0]``)."""
    evidence = [prepare(source) for source in sources]
    sentences = [s for s in split_sentences(reply) if has_content(s)]
    return Verification(tuple(check_sentence(sentence, evidence) for sentence in sentences))
