"""Figures in Chinese policy text: numbers with their units, Arabic or Chinese numerals alike. Pure functions.

A figure is a value and a unit (``三十日`` and ``30日`` are the same figure); a 文号 is its year and serial,
an ordinal (第十条) keeps 第 in its unit. Verification compares a reply's figures with a clause's.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from assistant.structure import chinese_number

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


class Figure(NamedTuple):
    """A number as a value and its unit (``第条`` for an ordinal, ``文号`` for a document number)."""

    value: Fraction | tuple[int, int]
    unit: str
    text: str


def chinese_value(numeral: str) -> int | None:
    """``三十`` → 30, ``一百零五`` → 105, ``五万`` → 50000, ``二〇一六`` → 2016; None if not a numeral."""
    if not numeral or any(ch not in _CN for ch in numeral):
        return None
    if not any(ch in _SMALL_UNIT or ch in _BIG_UNIT for ch in numeral):
        return int("".join(str(_DIGIT[ch]) for ch in numeral))  # read digit by digit: 二〇一六
    total = 0
    for section, big in re.findall(r"([^万亿]*)([万亿]?)", numeral):  # 五万三千 → (五, 万), (三千, '')
        total = (total + chinese_number(section)) * _BIG_UNIT.get(big, 1)
    return total


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
