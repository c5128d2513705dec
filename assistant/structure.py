"""Body lines → clause tree: legal (编/章/节/条/款/项/目), policy (一、/(一)/1./(1), 附件) or plain paragraphs."""

from __future__ import annotations

import re
import unicodedata

from assistant.types import Clause

_CN_DIGITS = {**dict(zip("零一二三四五六七八九", range(10))), "〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "零〇一二三四五六七八九十百千两"

# Legal units. A 编/章/节 line is a heading only when what follows its number is short and no sentence.
LEGAL_HEADING = re.compile(rf"^第([{_NUM}]+)(编|章|节)\s*(.*)$")
ARTICLE = re.compile(rf"^第([{_NUM}0-9]+)条\s*(.*)$")
# "第五条规定的…" opens a sentence that cites an article; it is not a new article.
_CITATION_START = re.compile(rf"^(规定|的|所[称列述]|[、，,至和及]|或者|第[{_NUM}]+[款项]|中[的规])")
ITEM = re.compile(rf"^[（(]([{_NUM}]+)[)）]\s*(.*)$")  # legal 项, policy (一)
SUB_ITEM = re.compile(r"^([0-9０-９]{1,2})[.．、](?![0-9０-９])\s*(.*)$")

# Policy units: (level, pattern) with the number and the rest of the line. Full- and half-width alike.
CLAUSE_MARKERS = (
    (1, re.compile(rf"^([{_NUM}]+)、\s*(.*)$")),
    (2, ITEM),
    (3, SUB_ITEM),
    (4, re.compile(r"^[（(]([0-9０-９]{1,2})[)）]\s*(.*)$")),
)
POLICY_KINDS = {1: "部分", 2: "节", 3: "点", 4: "小点"}
ANNEX = re.compile(r"^附件\s*([0-9０-９]+|[一二三四五六七八九十]+)?(?:\s*[:：]\s*|\s+|$)(.*)$")
MAX_HEADING_CHARS = 40


def chinese_number(numeral: str) -> int:
    """The value of a Chinese (or Arabic) numeral: 一百二十五 → 125, 一百零一 → 101, 十 → 10."""
    numeral = unicodedata.normalize("NFKC", numeral)
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, 0
    for char in numeral:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[char]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral}")
    return total + digit


def chinese_numeral(value: int) -> str:
    """125 → 一百二十五, 10 → 十, 101 → 一百零一 (as statutes write 款 numbers)."""
    if value < 10:
        return "零一二三四五六七八九"[value]
    if value < 20:
        return "十" + (chinese_numeral(value % 10) if value % 10 else "")
    if value < 100:
        return chinese_numeral(value // 10) + "十" + (chinese_numeral(value % 10) if value % 10 else "")
    rest, tail = value % 100, ""
    if 0 < rest < 10:
        tail = "零" + chinese_numeral(rest)
    elif rest:
        tail = ("一" if rest < 20 else "") + chinese_numeral(rest)  # 一百一十五
    return chinese_numeral(value // 100) + "百" + tail


def heading_of(rest: str) -> str:
    """A clause's title: the first phrase of its line, when short enough to be one."""
    first = re.split(r"[。:：；;]", rest, maxsplit=1)[0].strip()
    return first if 0 < len(first) <= MAX_HEADING_CHARS else ""


def legal_heading(line: str) -> tuple[str, str, str] | None:
    """(number, unit 编/章/节, heading) of a 第X章 line, or None."""
    match = LEGAL_HEADING.match(line)
    if not match or len(match.group(3)) > 30 or re.search(r"[。；;，,]", match.group(3)):
        return None
    return match.group(1), match.group(2), re.sub(r"\s+", "", match.group(3))


def article_number(line: str, after: int = 0) -> int | None:
    """The number of a 第X条 line that opens an article numbered above ``after``, or None."""
    match = ARTICLE.match(line)
    if not match or _CITATION_START.match(match.group(2)):
        return None
    number = chinese_number(match.group(1))
    return number if number > after else None


def policy_marker(line: str) -> tuple[int, str, str] | None:
    for level, pattern in CLAUSE_MARKERS:
        match = pattern.match(line)
        if match:
            return level, match.group(1), match.group(2)
    return None


def annex(line: str) -> re.Match | None:
    """A line that opens an annex: 附件, 附件1, 附件2：名单 (short, so not a sentence about an annex)."""
    return ANNEX.match(line) if len(line) <= 50 else None


def detect_structure(lines: list[str]) -> str:
    """``legal`` when the text is numbered by article, ``policy`` by 一、/(一)/1., else ``plain``."""
    articles = sum(1 for line in lines if article_number(line) is not None)
    parts = sum(1 for line in lines if (marker := policy_marker(line)) and marker[0] == 1)
    if articles and articles >= parts:
        return "legal"
    if any(policy_marker(line) or annex(line) for line in lines):
        return "policy"
    return "plain"


def first_structural_line(lines: list[str], structure: str) -> int:
    """Index of the line that opens the document's first clause (len(lines) for plain text)."""
    for i, line in enumerate(lines):
        if structure == "legal" and (legal_heading(line) or article_number(line) is not None):
            return i
        if structure == "policy" and (policy_marker(line) or annex(line)):
            return i
    return len(lines)


class _Tree:
    """Clauses from numbered lines: each new clause's own text runs until the next clause starts."""

    def __init__(self, lines: list[str], offsets: list[int], text: str):
        self.lines, self.offsets, self.text = lines, offsets, text
        self.roots: list[Clause] = []
        self.last: Clause | None = None

    def add(self, parent: Clause | None, i: int, *, id: str, label: str, heading: str, kind: str) -> Clause:
        start = self.offsets[i]
        clause = Clause(id=id, level=parent.level + 1 if parent else 1, label=label, heading=heading, kind=kind,
                        text=self.lines[i], start=start, end=start + len(self.lines[i]))  # fmt: skip
        (parent.children if parent else self.roots).append(clause)
        self.last = clause
        return clause

    def extend(self, i: int) -> None:
        """Line i continues the clause opened last."""
        self.last.end = self.offsets[i] + len(self.lines[i])
        self.last.text = self.text[self.last.start : self.last.end]


def legal_clauses(lines: list[str], offsets: list[int], text: str, start: int) -> list[Clause]:
    """编/章/节 headings, articles under them, and each article's 款/项/目."""
    tree = _Tree(lines, offsets, text)
    headings: list[Clause] = []  # the open 编/章/节 chain
    rank = {"编": 0, "章": 1, "节": 2}
    article: Clause | None = None
    roles: list[tuple[int, str]] = []  # (line, 款/项/目) of the open article, hung on it when it closes
    in_item = False
    last_number = 0

    def close_article() -> None:
        if article is not None:
            build_article(tree, article, roles)

    for i in range(start, len(lines)):
        line = lines[i]
        heading = legal_heading(line)
        number = article_number(line, last_number)
        if heading:
            close_article()
            article = None
            numeral, unit, title = heading
            while headings and rank[headings[-1].kind] >= rank[unit]:
                headings.pop()
            parent = headings[-1] if headings else None
            prefix = parent.id if parent and unit != "编" else ""
            label = f"第{numeral}{unit}"
            headings.append(tree.add(parent, i, id=prefix + label, label=label, heading=title, kind=unit))
        elif number is not None:
            close_article()
            last_number = number
            label = f"第{ARTICLE.match(line).group(1)}条"
            article = tree.add(headings[-1] if headings else None, i, id=label, label=label, heading="", kind="条")
            roles, in_item = [], False
        elif article is None:
            tree.extend(i)  # text under a heading before its first article
        elif ITEM.match(line):
            roles.append((i, "项"))
            in_item = True
        elif SUB_ITEM.match(line) and in_item:
            roles.append((i, "目"))
        else:
            roles.append((i, "款"))
            in_item = False
    close_article()
    return tree.roots


def build_article(tree: _Tree, article: Clause, roles: list[tuple[int, str]]) -> None:
    """Hang an article's 款/项/目 under it. The first paragraph is the article's own text, so the items
    of that paragraph hang on the article itself; 款 ids appear only when there are two paragraphs or more."""
    numbered = any(role == "款" for _, role in roles)
    paragraph_id = f"{article.id}第一款" if numbered else article.id
    container, item, paragraph_number = article, None, 1
    for i, role in roles:
        line = tree.lines[i]
        if role == "款":
            paragraph_number += 1
            label = f"第{chinese_numeral(paragraph_number)}款"
            paragraph_id = article.id + label
            container = tree.add(article, i, id=paragraph_id, label=label, heading="", kind="款")
            item = None
        elif role == "项":
            numeral = ITEM.match(line).group(1)
            item = tree.add(
                container, i, id=f"{paragraph_id}第({numeral})项", label=f"({numeral})", heading="", kind="项"
            )
        else:
            digits = unicodedata.normalize("NFKC", SUB_ITEM.match(line).group(1))
            tree.add(item, i, id=f"{item.id}第{digits}目", label=f"{digits}.", heading="", kind="目")


def policy_clauses(lines: list[str], offsets: list[int], text: str, start: int) -> list[Clause]:
    """一、/(一)/1./(1) clauses nested by marker level; 附件 sections hold their own numbering."""
    tree = _Tree(lines, offsets, text)
    stack: list[Clause] = []
    for i in range(start, len(lines)):
        line = lines[i]
        opening = annex(line)
        marker = None if opening else policy_marker(line)
        if opening:
            number = unicodedata.normalize("NFKC", opening.group(1) or "")
            heading = opening.group(2).strip()
            label = f"附件{number}" + ("：" if heading else "")
            stack = [tree.add(None, i, id=f"附件{number}", label=label, heading=heading, kind="附件")]
            stack[0].level = 0  # every numbered clause of the annex nests under it
        elif marker:
            level, number, rest = marker
            number = unicodedata.normalize("NFKC", number)
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else None
            id_part = f"({number})" if level in (2, 4) else number
            label = {1: f"{number}、", 2: f"({number})", 3: f"{number}.", 4: f"({number})"}[level]
            clause = tree.add(parent, i, id=(parent.id if parent else "") + id_part, label=label,
                              heading=heading_of(rest), kind=POLICY_KINDS[level])  # fmt: skip
            clause.level = level
            stack.append(clause)
        elif tree.last is not None:
            tree.extend(i)
    return tree.roots


def plain_clauses(lines: list[str], offsets: list[int], text: str, start: int) -> list[Clause]:
    """One clause per paragraph, for text with no numbering the parser knows."""
    tree = _Tree(lines, offsets, text)
    for n, i in enumerate(range(start, len(lines)), start=1):
        tree.add(None, i, id=f"第{n}段", label=f"第{n}段", heading="", kind="段")
    return tree.roots
