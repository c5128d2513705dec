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
    """Chinese or Arabic numeral (1-999) to int: 八, 二十二, 一百零一, 一百二十五, 22."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    text = text.replace("两", "二").replace("〇", "零")
    if not text or any(ch not in _DIGITS + "十百" for ch in text):
        return None
    value = 0
    if "百" in text:
        hundreds, _, text = text.partition("百")
        if len(hundreds) > 1:
            return None
        value += (_DIGITS.index(hundreds) if hundreds else 1) * 100
        text = text.removeprefix("零")
        if not text:
            return value
        if "十" not in text:
            return value + _DIGITS.index(text) if len(text) == 1 else None
    if "十" not in text:
        return _DIGITS.index(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return value + (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)


def int_to_cn(value: int) -> str:
    """1-999 as written in legal numbering: 十, 二十二, 一百零一, 一百一十."""
    if value >= 100:
        hundreds, rest = divmod(value, 100)
        if not rest:
            return _DIGITS[hundreds] + "百"
        return (
            _DIGITS[hundreds]
            + "百"
            + ("零" + _DIGITS[rest] if rest < 10 else "一" + int_to_cn(rest) if rest < 20 else int_to_cn(rest))
        )
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
    subitem: int | None = None

    def levels(self) -> dict[int, int]:
        """The numbers given, by clause level (1 = 一、 … 4 = (1))."""
        numbers = {1: self.part, 2: self.section, 3: self.item, 4: self.subitem}
        return {level: number for level, number in numbers.items() if number}

    def clause_id(self, part: int | None = None) -> str:
        part = self.part if part is None else part
        cid = int_to_cn(part) if part else ""
        if self.section:
            cid += f"({int_to_cn(self.section)})"
        if self.item:
            cid += str(self.item)
        if self.subitem:
            cid += f"({self.subitem})"
        return cid


_N = rf"[{_CN}百\d]{{1,5}}"
_C = rf"[{_CN}]{{1,3}}"
_ARABIC = r"\d{1,2}(?![\d年%.．])"
# Each marker names its level by its form; "weak" ones count only beside their neighbour level
# (二 before (二), 3 right after (二)), so 县(市、区)2018年 and 三社联动 are no references.
_MARKERS = re.compile(
    "|".join(
        (
            rf"(?P<l1>第\s*{_N}\s*(?:部分|大部分|章|大项))",
            rf"(?P<l1w>(?<![{_CN}\d]){_C}(?=\s*、?\s*\(\s*{_C}\s*\)))",
            rf"(?P<l1c>(?<![{_CN}\d]){_C}、(?![{_CN}]))",
            rf"(?P<l2>第?\s*\(\s*{_C}\s*\)\s*(?:条|项|节|方面)?|第\s*{_N}\s*(?:条|节|方面))",
            rf"(?P<l3>第\s*\(?\s*{_N}\s*\)?\s*(?:点|项|小项|款))",
            rf"(?P<l3w>(?<=\))\s*、?\s*{_ARABIC})",
            r"(?P<l4>\(\s*\d{1,2}\s*\))",
        )
    )
)
_LEVEL = {"l1": 1, "l1w": 1, "l1c": 1, "l2": 2, "l3": 3, "l3w": 3, "l4": 4}


def label_number(label: str) -> int | None:
    """The number of a clause label or a reference marker: 二、 (二) 3. 第三项 → 2, 2, 3, 3."""
    return _number(label)


def _number(marker: str) -> int | None:
    digits = re.search(rf"[{_CN}\d]+", marker.replace("第", ""))
    return cn_to_int(digits.group(0)) if digits else None


# English: point 4(3), section 2(2)3, item 2(2) (a part's number, its section's in brackets, then the item's).
_ENGLISH = re.compile(
    r"\b(?:point|section|part|item|paragraph|para\.?|clause)\s*(\d{1,2})\s*\(\s*(\d{1,2})\s*\)(?:\s*(\d{1,2})(?![\d%]))?",
    re.IGNORECASE,
)


# A document's part written as its bare numeral at the very end of a question, after the document's name or a
# space: …指导意见 三 原文, …意见的三讲什么, 基层治理意见五 (a numeral inside words, 三社联动, is no part).
_BARE_PART = re.compile(
    r"(?:(?<=[\s》”\"的])|(?<=意见|方案|规划|通知|决定|公告))([一二三四五六七八九十]{1,2})\s*、?\s*(?:部分)?\s*"
    r"(?:原文|全文|的?内容|(?:讲|说|写|规定)(?:了|的)?(?:些)?(?:什么|啥)|是什么|是啥)?\s*[？?。]?$"
)


_DOTTED = re.compile(r"(?<![\d.])([1-9]\d?)\.([1-9]\d?)(?:\.([1-9]\d?))?(?![\d.%万亿元倍])")
"""Policy numbering written with dots, as outlines write it: 2.2.3 for 二(二)3, 4.1 for 四(一) (not 2.5万, 3.5%)."""
_ENGLISH_PART = re.compile(r"\b(?:part|chapter|section)\s+(\d{1,2})\b(?!\s*\()", re.IGNORECASE)
"""A part or chapter as English writes it alone: chapter 3, part 2 (not point 4(3), whose brackets go deeper)."""


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_ROMAN_PART = re.compile(
    r"\b(part|section|chapter|point)\s+(x|ix|iv|v?i{1,3}|v)\b(\s*\(\s*\d{1,2}\s*\))?", re.IGNORECASE
)


def _arabic_parts(text: str) -> str:
    """Part IV → part 4; part IV (4) → part 4(4)."""
    return _ROMAN_PART.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2).lower()]}{m.group(3) or ''}", text)


def find_reference(question: str) -> ClauseReference | None:
    """The first clause reference in a question, if it has one."""
    text = _arabic_parts(unicodedata.normalize("NFKC", question))
    if english := _ENGLISH.search(text):
        part, section, item = (int(n) if n else None for n in english.groups())
        return ClauseReference(part, section, item, english.group(0))
    if english := _ENGLISH_PART.search(text):  # chapter 3 of the Charity Law, part 3 of the opinions
        return ClauseReference(int(english.group(1)), None, None, english.group(0))
    if dotted := _DOTTED.search(text):  # 台州意见2.2.3
        part, section, item = (int(n) if n else None for n in dotted.groups())
        return ClauseReference(part, section, item, dotted.group(0))
    run: list[tuple[int, int, re.Match]] = []  # (level, number, match)
    for match in _MARKERS.finditer(text):
        kind = match.lastgroup
        level, number = _LEVEL[kind], _number(match.group(0))
        if number is None:
            continue
        near = bool(run) and match.start() - run[-1][2].end() <= 2
        if near and level == run[-1][0] == 3 and len(run) > 1 and run[-2][0] == 1:  # 第二部分第二点第三项
            run[-1] = (2, run[-1][1], run[-1][2])  # the first of two 点/项 in a row is the middle level
        adjacent = near and level > run[-1][0]
        if run and not adjacent:
            break
        if kind == "l3w" and not (run and run[-1][0] == 2):
            continue
        if kind == "l4" and not run:
            continue
        run.append((level, number, match))
    while run and run[-1][2].lastgroup == "l1w":  # 二 that no (二) followed
        run.pop()
    if not run and (bare := _BARE_PART.search(text)):  # …实施意见 三 原文: a part, the question's last word
        return ClauseReference(cn_to_int(bare.group(1)), None, None, bare.group(0).strip())
    if not run:
        return None
    levels = {level: number for level, number, _ in run}
    span = text[run[0][2].start() : run[-1][2].end()].strip()
    return ClauseReference(levels.get(1), levels.get(2), levels.get(3), span, levels.get(4))


@dataclass(frozen=True)
class ArticleReference:
    """A reference to legal text: 第X条 (article), 第X款 (paragraph), 第(X)项 (item), 第X目; ``text`` as written."""

    article: int
    paragraph: int | None
    item: int | None
    subitem: int | None
    text: str

    def article_id(self) -> str:
        return f"第{int_to_cn(self.article)}条"

    def candidate_ids(self) -> list[str]:
        """Clause ids it can mean, most specific first (a paragraph is numbered only in articles that have several)."""
        article = self.article_id()
        paragraph = f"第{int_to_cn(self.paragraph)}款" if self.paragraph else ""
        item = f"第({int_to_cn(self.item)})项" if self.item else ""
        subitem = f"第{self.subitem}目" if self.subitem else ""
        ids = [article + paragraph + item + subitem]
        if self.paragraph == 1 and (item or subitem):
            ids.append(article + item + subitem)
        if not self.paragraph and (item or subitem):
            ids.append(article + "第一款" + item + subitem)
        return ids


_NUM = rf"[{_CN}百\d]{{1,6}}"
_ARTICLE = re.compile(
    rf"(?:第\s*(?P<article>{_NUM})\s*条|(?<![\d.])(?P<bare>\d{{1,3}})\s*条(?!件|例|款|规)|(?:article|art\.?)\s*(?P<english>\d{{1,3}})"
    rf"|(?<=[法例)])(?P<named>[{_CN}百]{{1,6}})条(?!件|例|款|规))"  # 慈善法二十二条: right after a law's name
    rf"(?:\s*第?\s*(?P<paragraph>{_NUM})\s*款)?"  # 第十条第一款, 10条1款
    rf"(?:\s*第?\s*[(（]\s*(?P<item>{_NUM})\s*[)）]\s*项?|\s*第?\s*(?P<item2>{_NUM})\s*项)?"
    rf"(?:\s*第?\s*(?P<subitem>\d{{1,2}}|[{_CN}]{{1,3}})\s*目)?",
    re.IGNORECASE,
)


def find_article(question: str) -> ArticleReference | None:
    """The first article reference in a question (慈善法第二十二条, 第8条, 第十条第一款第（一）项, article 22)."""
    return next(iter(find_articles(question)), None)


LAST = -1  # 最后一条: the document's last article (or last numbered part), resolved per document
_LAST = re.compile(r"最后一条|末条|(?:the\s+)?(?:last|final)\s+article", re.IGNORECASE)


# 第109-111条, 第九、十条, articles 9 and 10: one 条 shared by two numbers, written out as two references
_SHARED = re.compile(rf"第\s*({_NUM})\s*(至|到|-|~|～|—|–|、|,|和|及|与)\s*第?\s*({_NUM})\s*条")
_SHARED_EN = re.compile(r"\barticles\s+(\d{1,3})\s*(-|–|to|through|and|&|,)\s*(\d{1,3})\b", re.IGNORECASE)
_THROUGH = re.compile(r"\s*(?:至|到|-|~|～|—|–|to|through)\s*", re.IGNORECASE)
MAX_RANGE = 10  # 第一百零九条至第一百一十一条: the articles between are asked for too, in a range this long at most


_ROMAN_ITEM = r"\d{1,2}|[ivx]{1,4}"
_ENGLISH_ARTICLE = (  # as English legal writing cites them, each written the Chinese way
    (  # Article 22(2), Art. 10(1)(v): article, paragraph, item
        re.compile(rf"\b(?:article|art\.?)\s*(\d{{1,3}})\s*\((\d{{1,2}})\)(?:\s*\(({_ROMAN_ITEM})\))?", re.IGNORECASE),
        ("article", "paragraph", "item"),
    ),
    (  # Article 10, paragraph 1, item 5
        re.compile(
            rf"\b(?:article|art\.?)\s*(\d{{1,3}}),?\s*(?:paragraph|para\.?)\s*(\d{{1,2}})"
            rf"(?:,?\s*item\s*\(?({_ROMAN_ITEM})\)?)?",
            re.IGNORECASE,
        ),
        ("article", "paragraph", "item"),
    ),
    (  # item (5) of paragraph 1 of Article 10; paragraph 2 of Article 22
        re.compile(
            rf"\b(?:item\s*\(?({_ROMAN_ITEM})\)?\s+of\s+)?(?:(?:paragraph|para\.?)\s*(\d{{1,2}})\s+of\s+)?"
            rf"(?:article|art\.?)\s*(\d{{1,3}})",
            re.IGNORECASE,
        ),
        ("item", "paragraph", "article"),
    ),
)


def _chinese_articles(text: str) -> str:
    """English article citations written as Chinese ones: Article 22(2) → 第22条第2款, item (5) of Article 10 →
    第10条第(5)项 (roman item numbers too: (v) → 5)."""

    def chinese(m: re.Match, order: tuple[str, ...]) -> str:
        got = dict(zip(order, m.groups()))
        if not got.get("article"):
            return m.group(0)
        item = got.get("item")
        item = str(_ROMAN[item.lower()]) if item and not item.isdigit() and item.lower() in _ROMAN else item
        return (
            f"第{got['article']}条"
            + (f"第{got['paragraph']}款" if got.get("paragraph") else "")
            + (f"第({item})项" if item else "")
        )

    for pattern, order in _ENGLISH_ARTICLE:
        text = pattern.sub(lambda m, order=order: chinese(m, order), text)
    return text


_TENS = {"廿": "二十", "卅": "三十", "卌": "四十"}
_OLD_TENS = re.compile(r"(?<=第)[廿卅卌]")
"""Twenty, thirty, forty in one character, as some still write them (第廿条, 第卅一条)."""


def find_articles(question: str) -> list[ArticleReference]:
    """Every article reference in a question, in order (第二十二条和第二十三条; 第109条至第111条 with the articles
    between; 最后一条 as ``LAST``)."""
    found: list[ArticleReference] = []
    text = _OLD_TENS.sub(lambda m: _TENS[m.group(0)], unicodedata.normalize("NFKC", question))
    if last := _LAST.search(text):
        return [ArticleReference(LAST, None, None, None, last.group(0))]
    text = _chinese_articles(text)
    text = _SHARED.sub(r"第\1条\2第\3条", text)
    text = _SHARED_EN.sub(r"article \1 \2 article \3", text)
    end = None
    for match in _ARTICLE.finditer(text):
        written = match.group("article") or match.group("bare") or match.group("english") or match.group("named")
        article = cn_to_int(written or "")
        if not article:
            continue
        numbers = [match.group(g) for g in ("paragraph", "item", "subitem")]
        numbers[1] = numbers[1] or match.group("item2")
        paragraph, item, subitem = (cn_to_int(n) if n else None for n in numbers)
        if found and end is not None and _THROUGH.fullmatch(text[end : match.start()]):
            first = found[-1].article
            if 0 < article - first <= MAX_RANGE:
                found += [
                    ArticleReference(n, None, None, None, f"第{int_to_cn(n)}条") for n in range(first + 1, article)
                ]
        found.append(ArticleReference(article, paragraph, item, subitem, match.group(0).strip()))
        end = match.end()
    return found
