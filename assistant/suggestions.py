"""Suggested next questions: the clauses next to the ones an answer cites, asked as clause look-ups.

Every suggestion names a clause that exists (its document's short name plus its reference, and its
heading where it has one), so asking it is answered by the clause route from the text itself;
nothing is invented about what the clause says.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.citations import reference
from assistant.library import Library
from assistant.types import Answer, Citation, Clause, PolicyDocument

MAX_SUGGESTIONS = 3
"""How many next questions an answer offers at most."""
PER_CITATION = 2
"""How many of the suggestions may come from the neighbours of one cited clause."""
UNNUMBERED = "段"
"""Paragraphs of a document with no numbering: no reference a person would ask by."""
MAX_NAME_CHARS = 12
"""A document whose shortest name is longer is named by its number (台政办发〔2016〕123号) where it has one."""
MAX_HEADING_CHARS = 18
"""A longer heading is cut with … in the suggestion."""


def question_for(doc: PolicyDocument, clause: Clause) -> str:
    """A clause as a question the clause route answers: ``社团条例第十一条是怎么规定的？``."""
    heading = clause.heading.strip()
    if len(heading) > MAX_HEADING_CHARS:
        heading = heading[:MAX_HEADING_CHARS] + "…"
    topic = f"（{heading}）" if heading else ""
    name = doc.short_title
    if len(name) > MAX_NAME_CHARS and doc.doc_number:
        name = doc.doc_number
    return f"{name}{reference(doc, clause.id)}{topic}是怎么规定的？"


def _neighbours(doc: PolicyDocument, clause_id: str) -> Iterator[Clause]:
    """Clauses next to one: its following siblings, then the next clause of the same kind in the
    document (the next 条 across a chapter break), then its preceding siblings, then its children."""
    clause = doc.clause(clause_id)
    if clause is None:  # 文件信息 / 前言: the document's first clauses
        yield from doc.clauses
        return
    ancestors = doc.ancestors(clause_id)
    siblings = ancestors[-1].children if ancestors else doc.clauses
    position = next((i for i, c in enumerate(siblings) if c.id == clause.id), 0)
    yield from siblings[position + 1 :]
    same_kind = [c for _, c in doc.iter_clauses() if c.kind == clause.kind and c.level == clause.level]
    if clause in same_kind:
        yield from same_kind[same_kind.index(clause) + 1 : same_kind.index(clause) + 2]
    yield from reversed(siblings[:position])
    yield from clause.children


def suggest(answer: Answer, library: Library, *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Two or three next questions from the neighbours of the clauses an answer cites.

    A "not found" answer has no citations: its nearest clauses (``related``) are suggested themselves.
    An error or refusal gets none.
    """
    if answer.kind in ("error", "refused"):
        return []
    cited: list[Citation] = [c for c in answer.citations if c.quote] or answer.citations
    taken = {(c.doc_id, c.clause) for c in answer.citations}
    questions: list[str] = []

    def offer(doc: PolicyDocument, clause: Clause) -> None:
        if (doc.doc_id, clause.id) in taken or len(questions) >= limit or clause.kind == UNNUMBERED:
            return
        taken.add((doc.doc_id, clause.id))
        questions.append(question_for(doc, clause))

    if not cited:
        for citation in answer.related:
            doc = library.by_id.get(citation.doc_id)
            clause = doc.clause(citation.clause) if doc else None
            if doc and clause:
                offer(doc, clause)
        return questions
    for citation in cited:
        doc = library.by_id.get(citation.doc_id)
        if doc is None:
            continue
        before = len(questions)
        for clause in _neighbours(doc, citation.clause):
            offer(doc, clause)
            if len(questions) - before >= PER_CITATION:
                break
    return questions
