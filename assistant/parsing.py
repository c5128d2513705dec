"""Plain text → PolicyDocument: junk removal, header metadata, clause tree.

The cleaned text keeps every line of the document that is not site junk, stripped, one per line;
all offsets (clauses, metadata, preamble) point into it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.headers import find_title, header_end, read_header
from assistant.loaders import load_text
from assistant.names import short_names
from assistant.structure import (
    chinese_number,
    detect_structure,
    first_structural_line,
    legal_clauses,
    plain_clauses,
    policy_clauses,
)
from assistant.types import Clause, PolicyDocument

logger = logging.getLogger(__name__)

# Bump when parsing or chunking changes, so an incremental ingest re-processes every document.
PARSER_VERSION = "2"

SITE_PREFIX = re.compile(r"^[A-Za-z0-9.\-]+\.(?:net|com|cn|org|gov)®?\s*", re.IGNORECASE)
DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
SENTENCE_END_CHARS = "。；;！!？?”’)）"
# A last line without a full stop still ends a document when it is the commencement article.
_CLOSING_ARTICLE = re.compile(r"(施行|执行|废止)$")
_BUILDERS = {"legal": legal_clauses, "policy": policy_clauses, "plain": plain_clauses}


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


def content_hash(text: str) -> str:
    return hashlib.sha256((PARSER_VERSION + "\n" + text).encode("utf-8")).hexdigest()


def doc_id_for(path: Path) -> str:
    return path.stem


def _mark_incomplete(doc: PolicyDocument, lines: list[str]) -> None:
    """A document cut off mid-sentence (a web page's end) flags its last clause chain as incomplete."""
    closing = len(lines)
    while closing > 0 and (DATE_LINE.match(lines[closing - 1]) or (doc.issuer and lines[closing - 1] == doc.issuer)):
        closing -= 1  # a signature: issuer and date lines
    if closing < len(lines) and not doc.date:
        doc.date = next((line for line in lines[closing:] if DATE_LINE.match(line)), "")
    last = lines[closing - 1] if closing else ""
    finished = last.endswith(tuple(SENTENCE_END_CHARS)) or _CLOSING_ARTICLE.search(last)
    if not doc.clauses or closing < len(lines) or finished:
        return
    doc.incomplete = True
    clause: Clause | None = doc.clauses[-1]
    while clause is not None:
        clause.incomplete = True
        clause = clause.children[-1] if clause.children else None


def _warn(doc: PolicyDocument, message: str) -> None:
    doc.warnings.append(message)
    logger.warning("%s: %s", doc.doc_id, message)


def _check_numbering(doc: PolicyDocument) -> None:
    """Repeated clause ids and gaps in article numbers: signs of a mis-read line."""
    seen: set[str] = set()
    for _, clause in doc.iter_clauses():
        if clause.id in seen:
            _warn(doc, f"条款编号重复：{clause.id}")
        seen.add(clause.id)
    numbers = [chinese_number(c.label[1:-1]) for _, c in doc.iter_clauses() if c.kind == "条"]
    for before, after in zip(numbers, numbers[1:]):
        if after != before + 1:
            _warn(doc, f"条文编号不连续：第{before}条之后是第{after}条")


def parse_document(raw: str, *, doc_id: str, source: str = "") -> PolicyDocument:
    """Parse a document's text into its metadata and clause tree.

    Never fails on odd text: unknown lines are kept as body text, and a document with no numbering
    the parser knows is indexed paragraph by paragraph (``structure="plain"``, with a warning).

    Args:
        raw: the document's text, as loaded.
        doc_id: the document's id in the library (the file name's stem).
        source: the file path; a file in a folder named ``superseded`` is marked 已被取代.
    """
    lines = clean_lines(raw)
    text = "\n".join(lines)
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1

    raw_title = find_title(lines)
    doc = PolicyDocument(doc_id=doc_id, source=source, content_hash=content_hash(raw), text=text, title=raw_title)
    doc.structure = detect_structure(lines)
    first = first_structural_line(lines, doc.structure)
    end = header_end(lines, first, raw_title)
    read_header(doc, lines[:end], raw_title)
    doc.short_names = short_names(doc.title)

    def span(start_line: int, end_line: int) -> tuple[int, int]:
        if start_line >= end_line:
            return (offsets[start_line] if start_line < len(offsets) else len(text),) * 2
        return offsets[start_line], offsets[end_line - 1] + len(lines[end_line - 1])

    doc.metadata_span = span(0, end)
    body_start = end if doc.structure == "plain" else first
    doc.preamble_span = span(end, body_start)
    doc.clauses = _BUILDERS[doc.structure](lines, offsets, text, body_start)
    if doc.structure == "plain":
        _warn(doc, "未识别出条款编号（第X条、一、(一)），按段落切分")
    _check_numbering(doc)
    _mark_incomplete(doc, lines)
    return doc


def load_document(path: Path) -> PolicyDocument:
    """Read and parse one file.

    Raises:
        DocumentError: the file cannot be read, decoded or is empty (see ``loaders.load_text``).
    """
    return parse_document(load_text(path), doc_id=doc_id_for(path), source=str(path))
