"""Plain text → PolicyDocument: junk removal, metadata, clause tree.

The cleaned text keeps every line of the document that is not site junk, stripped, one per line;
all offsets (clauses, metadata, preamble) point into it.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.loaders import load_text
from assistant.types import Clause, PolicyDocument

# Bump when parsing or chunking changes, so an incremental ingest re-processes every document.
PARSER_VERSION = "1"

_CN_NUM = "一二三四五六七八九十百"
# (level, pattern): the number and the rest of the line. Full- and half-width brackets alike.
CLAUSE_MARKERS = (
    (1, re.compile(rf"^([{_CN_NUM}]+)、\s*(.*)$")),
    (2, re.compile(rf"^[（(]([{_CN_NUM}]+)[)）]\s*(.*)$")),
    (3, re.compile(r"^([0-9０-９]{1,2})[.．、](?![0-9０-９])\s*(.*)$")),
    (4, re.compile(r"^[（(]([0-9０-９]{1,2})[)）]\s*(.*)$")),
)
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,15}[〔［\[【（(]\s*\d{4}\s*[〕］\]】）)]\s*\d+\s*号")
SITE_PREFIX = re.compile(r"^[A-Za-z0-9.\-]+\.(?:net|com|cn|org|gov)®?\s*", re.IGNORECASE)
VALIDITY = re.compile(r"(继续有效|部分有效|有效期至[^,，。]*|已废止|已失效|已修订|废止|失效|有效)")
VALIDITY_SOURCE = re.compile(r"《\s*([^》]+?)\s*》\s*[（(]?\s*(\d{4}年\d{1,2}月\d{1,2}日)?")
DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
TITLE_END = re.compile(r"(意见|通知|办法|规定|决定|方案|细则|条例|规划|公告|通报|批复|函)$")
SENTENCE_END_CHARS = "。；;！!？?”’)）"


@lru_cache(maxsize=1)
def _junk_patterns() -> tuple[re.Pattern, ...]:
    content = resources.files("assistant").joinpath("data", "junk_lines.txt").read_text(encoding="utf-8")
    return tuple(re.compile(line) for line in content.splitlines() if line.strip() and not line.startswith("#"))


def _is_junk(line: str) -> bool:
    return any(pattern.fullmatch(line) for pattern in _junk_patterns())


def clean_lines(raw: str) -> list[str]:
    """The document's lines without site junk, blank lines or an immediate repeat of a line."""
    lines: list[str] = []
    for line in raw.splitlines():
        line = SITE_PREFIX.sub("", re.sub(r"\s+", " ", line).strip())
        if not line or _is_junk(line) or (lines and line == lines[-1]):
            continue
        lines.append(line)
    return lines


def _marker(line: str) -> tuple[int, str, str] | None:
    for level, pattern in CLAUSE_MARKERS:
        match = pattern.match(line)
        if match:
            return level, match.group(1), match.group(2)
    return None


def _label(level: int, number: str) -> str:
    return {1: f"{number}、", 2: f"({number})", 3: f"{number}.", 4: f"({number})"}[level]


def _id_part(level: int, number: str) -> str:
    return f"({number})" if level in (2, 4) else number


def _heading(rest: str) -> str:
    """A clause's title: the first phrase of its line, when short enough to be one."""
    first = re.split(r"[。:：；;]", rest, maxsplit=1)[0].strip()
    return first if 0 < len(first) <= 40 else ""


def content_hash(text: str) -> str:
    return hashlib.sha256((PARSER_VERSION + "\n" + text).encode("utf-8")).hexdigest()


def doc_id_for(path: Path) -> str:
    return path.stem


def parse_document(raw: str, *, doc_id: str, source: str = "") -> PolicyDocument:
    """Parse a policy document's text. Never fails on odd text: unknown lines are kept as body text."""
    lines = clean_lines(raw)
    text = "\n".join(lines)
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1

    title = next((line for line in lines[:8] if TITLE_END.search(line) or "关于" in line), lines[0] if lines else "")
    doc = PolicyDocument(doc_id=doc_id, source=source, content_hash=content_hash(raw), text=text, title=title)
    first_clause = next((i for i, line in enumerate(lines) if _marker(line)), len(lines))

    header_end = 0  # lines before this index are metadata
    for i, line in enumerate(lines[:first_clause]):
        if not doc.doc_number and (match := DOC_NUMBER.search(line)):
            doc.doc_number = re.sub(r"\s+", "", match.group(0))
            header_end = i + 1
        if "有效" in line or "废止" in line or "失效" in line:
            if (validity := VALIDITY.search(line)) and ("提示" in line or "有效性" in line or "规定" in line):
                doc.validity = validity.group(1)
                if source_match := VALIDITY_SOURCE.search(line):
                    doc.validity_source = source_match.group(1)
                    if source_match.group(2):
                        doc.validity_source += f"（{source_match.group(2)}）"
                header_end = i + 1
        if re.search(r"[:：]$", line) and len(line) <= 80 and i <= 8:
            doc.addressees = [part.strip() for part in re.split(r"[,，]", line.rstrip(":：")) if part.strip()]
            header_end = i + 1
        if line == title:
            header_end = max(header_end, i + 1)
    if "关于" in title:
        doc.issuer = title.split("关于", 1)[0]

    closing_start = len(lines)
    for i in range(len(lines) - 1, first_clause, -1):
        if DATE_LINE.match(lines[i]) or (doc.issuer and lines[i] == doc.issuer):
            closing_start = i
            if DATE_LINE.match(lines[i]):
                doc.date = lines[i]
        else:
            break

    def span(start_line: int, end_line: int) -> tuple[int, int]:
        if start_line >= end_line:
            return (offsets[start_line] if start_line < len(offsets) else len(text),) * 2
        return offsets[start_line], offsets[end_line - 1] + len(lines[end_line - 1])

    doc.metadata_span = span(0, header_end)
    doc.preamble_span = span(header_end, first_clause)

    stack: list[Clause] = []
    starts = [i for i in range(first_clause, closing_start) if _marker(lines[i])]
    for n, i in enumerate(starts):
        level, number, rest = _marker(lines[i])
        end_line = starts[n + 1] if n + 1 < len(starts) else closing_start
        while stack and stack[-1].level >= level:
            stack.pop()
        parent_id = stack[-1].id if stack else ""
        start, end = span(i, end_line)
        clause = Clause(
            id=parent_id + _id_part(level, number),
            level=level,
            label=_label(level, number),
            heading=_heading(rest),
            text=text[start:end],
            start=start,
            end=end,
        )
        (stack[-1].children if stack else doc.clauses).append(clause)
        stack.append(clause)

    body_end = lines[closing_start - 1] if closing_start > 0 else ""
    if stack and not doc.date and not body_end.endswith(tuple(SENTENCE_END_CHARS)):
        doc.incomplete = True
        for clause in stack:
            clause.incomplete = True
    return doc


def load_document(path: Path) -> PolicyDocument:
    """Read and parse one file."""
    return parse_document(load_text(path), doc_id=doc_id_for(path), source=str(path))
