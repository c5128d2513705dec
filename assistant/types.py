"""The data that flows through the pipeline: documents, clauses, chunks, citations, answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Clause:
    """One numbered clause: 一、 → (一) → 1. → (1).

    ``id`` is canonical (``二(二)2``); ``label`` is the number as printed; ``heading`` the clause's
    title without its number; ``text`` the clause's own text (its heading sentence included, its
    children excluded); ``start``/``end`` are offsets of that own text in the cleaned document.
    """

    id: str
    level: int
    label: str
    heading: str
    text: str
    start: int
    end: int
    incomplete: bool = False
    children: list[Clause] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The heading as it reads in a heading path: ``2. 创新社会组织培育扶持机制``."""
        separator = " " if self.level == 3 else ""
        return f"{self.label}{separator}{self.heading}"

    def full_text(self) -> str:
        """The clause with all its children, as printed."""
        parts = [self.text] + [child.full_text() for child in self.children]
        return "\n".join(part for part in parts if part)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["children"] = [child.to_dict() for child in self.children]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clause:
        children = [cls.from_dict(child) for child in data.get("children", [])]
        return cls(**{**data, "children": children})


@dataclass
class PolicyDocument:
    """A policy document: its metadata and its clause tree, over the cleaned text."""

    doc_id: str
    source: str
    content_hash: str
    text: str
    title: str
    doc_number: str = ""
    issuer: str = ""
    addressees: list[str] = field(default_factory=list)
    validity: str = ""
    validity_source: str = ""
    date: str = ""
    metadata_span: tuple[int, int] = (0, 0)
    preamble_span: tuple[int, int] = (0, 0)
    clauses: list[Clause] = field(default_factory=list)
    incomplete: bool = False

    def iter_clauses(self) -> Iterator[tuple[list[Clause], Clause]]:
        """Every clause in reading order, with the chain of its ancestors."""

        def walk(clauses: list[Clause], ancestors: list[Clause]):
            for clause in clauses:
                yield ancestors, clause
                yield from walk(clause.children, ancestors + [clause])

        yield from walk(self.clauses, [])

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for _, c in self.iter_clauses() if c.id == clause_id), None)

    def heading_path(self, clause_id: str) -> list[str]:
        for ancestors, clause in self.iter_clauses():
            if clause.id == clause_id:
                return [a.title for a in ancestors] + [clause.title]
        return []

    @property
    def metadata_text(self) -> str:
        return self.text[self.metadata_span[0] : self.metadata_span[1]]

    @property
    def preamble(self) -> str:
        return self.text[self.preamble_span[0] : self.preamble_span[1]]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["clauses"] = [clause.to_dict() for clause in self.clauses]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyDocument:
        clauses = [Clause.from_dict(c) for c in data.get("clauses", [])]
        spans = {key: tuple(data[key]) for key in ("metadata_span", "preamble_span") if key in data}
        return cls(**{**data, **spans, "clauses": clauses})


@dataclass
class Chunk:
    """What gets indexed: a clause (or a sentence-aligned part of a long one), with its heading path."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]

    @property
    def body(self) -> str:
        return self.metadata["body"]


@dataclass
class Citation:
    """A clause an answer rests on. ``text`` is the full clause; ``quote`` the sentences used."""

    doc_title: str
    doc_number: str
    clause: str
    heading: str
    text: str
    score: float
    quote: str = ""
    heading_path: str = ""
    doc_id: str = ""
    incomplete: bool = False


@dataclass
class Answer:
    """The one contract every answerer fulfils, extractive or LLM."""

    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    audience: str = "resident"
    kind: str = "retrieval"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of ``ask --json`` and the web API."""
        keys = ("doc_title", "doc_number", "clause", "heading", "text", "score", "quote", "heading_path", "incomplete")
        return {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "audience": self.audience,
            "kind": self.kind,
            "citations": [{key: getattr(c, key) for key in keys} for c in self.citations],
        }
