"""Citations: a retrieved chunk or a clause → the ``Citation`` an answer shows, cited the way Chinese
legal writing does (``第十条第一款第（一）项``, ``二(二)2``). The one place citations are built."""

from __future__ import annotations

from assistant.types import ChunkMeta, Citation, Clause, PolicyDocument

METADATA_CLAUSE = "文件信息"
PREAMBLE_CLAUSE = "前言"


def reference(doc: PolicyDocument, clause_id: str) -> str:
    """How a clause is cited: legal ids with full-width brackets (第（一）项), policy ids as printed."""
    if doc.structure == "legal":
        return clause_id.replace("(", "（").replace(")", "）")
    return clause_id


def _deepest_containing(doc: PolicyDocument, clause: Clause, quote: str) -> Clause:
    """The smallest clause under ``clause`` whose own text holds the quote's first sentence."""
    probe = quote.split("……")[0].strip()[:40]
    if not probe:
        return clause
    for child in clause.children:
        if probe in child.full_text():
            return _deepest_containing(doc, child, quote)
    return clause


def clause_citation(
    doc: PolicyDocument, clause: Clause, *, quote: str = "", score: float = 1.0, narrow: bool = True
) -> Citation:
    """A clause of a document as a citation; with a quote, the reference narrows to the 款/项 that holds it."""
    cited = _deepest_containing(doc, clause, quote) if quote and narrow else clause
    return Citation(
        doc_title=doc.title,
        doc_number=doc.doc_number,
        clause=cited.id,
        heading=cited.heading,
        text=clause.full_text(),
        score=round(float(score), 4),
        quote=quote,
        heading_path=" > ".join(doc.heading_path(cited.id)),
        doc_id=doc.doc_id,
        incomplete=any(c.incomplete for c in (clause, cited)),
        reference=reference(doc, cited.id),
        short_title=doc.short_title,
        doc_kind=doc.kind,
        status=doc.status,
        superseded_by=doc.superseded_by,
    )


def section_citation(doc: PolicyDocument, section: str, *, quote: str = "", score: float = 1.0) -> Citation:
    """The header (文件信息) or the preamble (前言) of a document as a citation."""
    text = doc.metadata_text if section == METADATA_CLAUSE else doc.preamble
    return Citation(
        doc_title=doc.title,
        doc_number=doc.doc_number,
        clause=section,
        heading=section,
        text=text,
        score=round(float(score), 4),
        quote=quote,
        heading_path=section,
        doc_id=doc.doc_id,
        reference=section,
        short_title=doc.short_title,
        doc_kind=doc.kind,
        status=doc.status,
        superseded_by=doc.superseded_by,
    )


def chunk_citation(doc: PolicyDocument, meta: ChunkMeta, *, quote: str = "", score: float = 1.0) -> Citation:
    """The citation of a retrieved chunk: its whole clause (or section), narrowed by the quote."""
    clause = doc.clause(meta.clause) if meta.section == "clause" else None
    if clause is None:
        return section_citation(doc, meta.clause, quote=quote, score=score)
    return clause_citation(doc, clause, quote=quote, score=score)


def source_line(citation: Citation) -> str:
    """``——《社会团体登记管理条例》（国务院令第250号）第十条第一款第（一）项`` plus status notes."""
    number = f"（{citation.doc_number}）" if citation.doc_number else ""
    where = citation.reference or citation.clause
    heading = f"「{citation.heading}」" if citation.heading and citation.heading not in (where, citation.clause) else ""
    line = f"——《{citation.doc_title}》{number}{where}{heading}"
    if citation.doc_kind:
        line += f"〔{citation.doc_kind}·{citation.status}〕"
    if citation.superseded_by:
        line += f"（此为旧版本，已被《{citation.superseded_by}》取代）"
    return line
