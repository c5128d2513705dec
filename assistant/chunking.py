"""PolicyDocument → Chunks: one per article of a law, one per lowest-level policy clause, plus metadata and preamble.

A chunk never crosses a clause boundary. A unit longer than the budget (jieba tokens) is split between
paragraphs, and a paragraph longer than the budget between sentences, never inside one. Each chunk's
text starts with the document's title and the clause's heading path, which is what makes a bare
"2. …" clause or a "第十条" findable by the topic of its chapter or section.
"""

from __future__ import annotations

import re

from assistant.text import normalize, sentence_spans, token_count
from assistant.types import Chunk, ChunkMeta, Clause, PolicyDocument

HEADING_SEPARATOR = " > "
METADATA_CLAUSE = "文件信息"
PREAMBLE_CLAUSE = "前言"
# Units of a legal article that live inside its chunk rather than in chunks of their own.
ARTICLE_PARTS = ("款", "项", "目")


def is_bare_heading(clause: Clause) -> bool:
    """A heading with nothing of its own beyond its title (第三章 成立登记, 二、运行机制): it gets no
    chunk, and lives on in its children's heading paths."""
    return bool(clause.children) and normalize(clause.text).rstrip("。:：") == normalize(clause.title)


def _subtree_end(clause: Clause) -> int:
    return _subtree_end(clause.children[-1]) if clause.children else clause.end


def _subtree_incomplete(clause: Clause) -> bool:
    return clause.incomplete or any(_subtree_incomplete(child) for child in clause.children)


def _units(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) of each paragraph of text[start:end]; of each sentence, for a paragraph over budget."""
    units = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + line.start(), start + line.end()
        tokens = token_count(text[s:e])
        if tokens <= budget:
            units.append((s, e, tokens))
        else:
            units.extend((ss, se, token_count(text[ss:se])) for ss, se in sentence_spans(text, s, e))
    return units


def _pack(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Paragraph- or sentence-aligned pieces of text[start:end], each within budget unless one sentence alone exceeds it."""
    pieces: list[tuple[int, int]] = []
    piece_start, piece_tokens, piece_end = None, 0, start
    for s, e, tokens in _units(text, start, end, budget):
        if piece_start is not None and piece_tokens + tokens > budget:
            pieces.append((piece_start, piece_end))
            piece_start, piece_tokens = None, 0
        if piece_start is None:
            piece_start = s
        piece_tokens += tokens
        piece_end = e
    if piece_start is not None:
        pieces.append((piece_start, piece_end))
    return pieces


def _sections(doc: PolicyDocument) -> list[tuple[str, str, list[str], tuple[int, int], bool]]:
    """(section, clause id, heading path, span, incomplete) of every unit that gets chunks."""
    sections = [
        ("metadata", METADATA_CLAUSE, [METADATA_CLAUSE], doc.metadata_span, False),
        ("preamble", PREAMBLE_CLAUSE, [PREAMBLE_CLAUSE], doc.preamble_span, False),
    ]
    for ancestors, clause in doc.iter_clauses():
        path = [a.title for a in ancestors] + [clause.title]
        if doc.structure == "legal" and clause.kind == "条":
            span, incomplete = (clause.start, _subtree_end(clause)), _subtree_incomplete(clause)
        elif (doc.structure == "legal" and clause.kind in ARTICLE_PARTS) or is_bare_heading(clause):
            continue
        else:
            span, incomplete = (clause.start, clause.end), clause.incomplete
        sections.append(("clause", clause.id, path, span, incomplete))
    return sections


def chunk_document(doc: PolicyDocument, *, budget: int = 256) -> list[Chunk]:
    """The chunks of a document, in reading order.

    Args:
        doc: a parsed document.
        budget: the most jieba tokens a chunk's body holds, unless one sentence alone is longer.

    Returns:
        Chunks whose ``text`` is ``《title》heading path``, a newline, then the body; ``chunk_id`` is
        ``doc_id:content_hash[:12]:clause:part``, unique across the library and stable for unchanged text.
    """
    chunks: list[Chunk] = []
    for section, clause_id, path, (start, end), incomplete in _sections(doc):
        if start >= end:
            continue
        pieces = _pack(doc.text, start, end, budget)
        for part, (s, e) in enumerate(pieces):
            meta = chunk_meta(
                doc,
                section,
                clause_id,
                path,
                s,
                e,
                part=part,
                parts=len(pieces),
                incomplete=incomplete and part == len(pieces) - 1,
            )
            chunk_id = f"{doc.doc_id}:{doc.content_hash[:12]}:{clause_id}:{part}"
            chunks.append(
                Chunk(chunk_id=chunk_id, text=f"《{doc.title}》{meta.heading_path}\n{doc.text[s:e]}", meta=meta)
            )
    return chunks


def chunk_meta(
    doc: PolicyDocument,
    section: str,
    clause_id: str,
    path: list[str],
    start: int,
    end: int,
    *,
    part: int = 0,
    parts: int = 1,
    incomplete: bool = False,
) -> ChunkMeta:
    """The metadata of a chunk of ``doc`` whose body is ``doc.text[start:end]``, under heading ``path``."""
    return ChunkMeta(
        doc_id=doc.doc_id,
        title=doc.title,
        doc_number=doc.doc_number,
        doc_kind=doc.kind,
        status=doc.status,
        section=section,
        clause=clause_id,
        heading=path[-1],
        heading_path=HEADING_SEPARATOR.join(path),
        start=start,
        end=end,
        part=part,
        parts=parts,
        incomplete=incomplete,
    )
