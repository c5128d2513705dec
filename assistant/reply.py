"""A model's reply as sentences and the ``[n]`` source marks they carry. Pure functions, no I/O.

A streamed reply is cut into sentences as they complete (a ``[n]`` written after the full stop still
belongs to its sentence); marks are read as clause numbers, replaced by source tags, or removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_MARKER = re.compile(r"[\[［]([0-9０-９]+(?:[,，、\-~–][0-9０-９]+)*)[\]］](?!第?[0-9０-９]+号)|【([0-9０-９]+)】")
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
# A sentence: quoted runs kept whole, up to 。！？ (and closing marks), then any [n] written after it.
_SENTENCE = re.compile(
    r"(?:“[^”\n]*”|「[^」\n]*」|『[^』\n]*』|[^。！？!?\n“「『])+"
    r"(?:[。！？!?]+[”’」』)）]*)?(?:[ \t]*(?:\[[\d,，、\s\-~–]+\]|【\d+】|［[\d，、\s]+］))*"
    r"|[。！？!?]+"
)
_UNDECIDED_TAIL = re.compile(r"[\s\[\]【】［］\d０-９,，、\-~–]*")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a reply; ``line_end`` when a line break followed it."""

    text: str
    line_end: bool = False


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


def has_content(sentence: Sentence) -> bool:
    """Whether a sentence says anything (a stray mark or a lone ``[1]`` is not a sentence)."""
    return bool(_CONTENT.search(strip_markers(sentence.text)))
