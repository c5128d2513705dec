"""Clause references as staff write them → canonical clause ids (``二(二)3``).

Accepted: ``二(二)3``, ``二（二）3``, ``二(二)``, ``(二)3`` (part left open), ``第二部分第(二)条第3点``,
``第二部分第二条第三项``, ``第一部分总体目标`` (part plus a heading). Deterministic: no retrieval.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DIGITS = "零一二三四五六七八九"
_CN = "〇零一二三四五六七八九十两"


def cn_to_int(text: str) -> int | None:
    """Chinese or Arabic numeral (1-99) to int."""
    if text.isdigit():
        return int(text)
    text = text.replace("两", "二").replace("〇", "零")
    if not text or any(ch not in _DIGITS + "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS.index(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    value = (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)
    return value


def int_to_cn(value: int) -> str:
    if value < 10:
        return _DIGITS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class ClauseReference:
    """Numbers per level (None where left open); ``text`` is what the person wrote."""

    part: int | None
    section: int | None
    item: int | None
    text: str

    def clause_id(self, part: int | None = None) -> str:
        part = self.part if part is None else part
        cid = int_to_cn(part) if part else ""
        if self.section:
            cid += f"({int_to_cn(self.section)})"
        if self.item:
            cid += str(self.item)
        return cid


_N = rf"[{_CN}\d]{{1,3}}"
# 二(二)3 / 二（二） / 二、(二)3: a part followed by a bracketed section.
_COMPACT = re.compile(rf"(?<![{_CN}\d])({_N})\s*、?\s*\(\s*({_N})\s*\)\s*(\d{{1,2}}(?![\d年%]))?")
# (二)3 with no part: only when an item number follows or the bracket stands alone.
_SECTION_ONLY = re.compile(rf"(?<![{_CN}\d)])\(\s*({_N})\s*\)\s*(\d{{1,2}}(?![\d年%]))?")
# 第二部分 / 第(二)条 / 第3点: numbered units in order.
_UNIT = re.compile(rf"第\s*\(?\s*({_N})\s*\)?\s*(部分|大部分|章|条|项|小项|点|款|段|节|小节|方面)")


def find_reference(question: str) -> ClauseReference | None:
    """The clause reference in a question, if it has one."""
    text = unicodedata.normalize("NFKC", question)
    if match := _COMPACT.search(text):
        part, section = cn_to_int(match.group(1)), cn_to_int(match.group(2))
        item = int(match.group(3)) if match.group(3) else None
        if part and section:
            return ClauseReference(part, section, item, match.group(0).strip())
    units = list(_UNIT.finditer(text))
    if units:
        numbers = [cn_to_int(u.group(1)) for u in units]
        if None not in numbers:
            has_part = units[0].group(2) in ("部分", "大部分", "章")
            if has_part:
                levels = numbers
            elif len(numbers) == 1 and units[0].group(2) in ("点", "项", "小项", "款"):
                levels = [None, None] + numbers
            else:
                levels = [None] + numbers
            levels = (levels + [None, None, None])[:3]
            span = text[units[0].start() : units[-1].end()]
            return ClauseReference(levels[0], levels[1], levels[2], span)
    if match := _SECTION_ONLY.search(text):
        section = cn_to_int(match.group(1))
        item = int(match.group(2)) if match.group(2) else None
        if section:
            return ClauseReference(None, section, item, match.group(0).strip())
    return None
