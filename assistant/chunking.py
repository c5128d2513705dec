"""PolicyDocument → Chunks: one per lowest-level clause (plus metadata and preamble).

A chunk never crosses a clause boundary. A clause longer than the budget (jieba tokens) is split
between sentences, never inside one. Each chunk's text starts with its heading path, which is
what makes a bare "2. …" clause findable by the topic of its section.
"""

from __future__ import annotations

from assistant.text import sentence_spans, token_count
from assistant.types import Chunk, PolicyDocument

HEADING_SEPARATOR = " > "
METADATA_CLAUSE = "文件信息"
PREAMBLE_CLAUSE = "前言"


def _pack(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Sentence-aligned pieces of text[start:end], each within budget unless one sentence alone exceeds it."""
    pieces: list[tuple[int, int]] = []
    piece_start, piece_tokens, piece_end = None, 0, start
    for s, e in sentence_spans(text, start, end):
        tokens = token_count(text[s:e])
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


def chunk_document(doc: PolicyDocument, *, budget: int = 256) -> list[Chunk]:
    """Chunks of the metadata, the preamble and every clause that has text of its own beyond its heading."""
    base = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "validity": doc.validity,
    }
    sections: list[tuple[str, str, list[str], tuple[int, int], bool]] = [
        ("metadata", METADATA_CLAUSE, [METADATA_CLAUSE], doc.metadata_span, False),
        ("preamble", PREAMBLE_CLAUSE, [PREAMBLE_CLAUSE], doc.preamble_span, False),
    ]
    for ancestors, clause in doc.iter_clauses():
        if clause.children and len(sentence_spans(doc.text, clause.start, clause.end)) <= 1:
            continue  # a bare heading: it lives on in its children's heading paths
        path = [a.title for a in ancestors] + [clause.title]
        sections.append(("clause", clause.id, path, (clause.start, clause.end), clause.incomplete))

    chunks: list[Chunk] = []
    for kind, clause_id, path, (start, end), incomplete in sections:
        if start >= end:
            continue
        heading_path = HEADING_SEPARATOR.join(path)
        pieces = _pack(doc.text, start, end, budget)
        for part, (s, e) in enumerate(pieces):
            body = doc.text[s:e]
            metadata = {
                **base,
                "kind": kind,
                "clause": clause_id,
                "heading": path[-1],
                "heading_path": heading_path,
                "start": s,
                "end": e,
                "part": part,
                "parts": len(pieces),
                "incomplete": incomplete and part == len(pieces) - 1,
                "body": body,
            }
            chunk_id = f"{doc.content_hash[:16]}:{clause_id}:{part}"
            chunks.append(Chunk(chunk_id=chunk_id, text=f"{heading_path}\n{body}", metadata=metadata))
    return chunks
