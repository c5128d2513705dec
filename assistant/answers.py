"""The records of the answer side: citations, conversation turns, answer requests and answers, and
the ``Answerer`` contract every answerer fulfils. No heavy imports here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from assistant.documents import IN_FORCE


@dataclass(kw_only=True)
class Citation:
    """A clause an answer rests on. ``text`` is the full clause; ``quote`` the sentences used. Built by keyword.

    ``reference`` is the clause as Chinese legal writing cites it (``第十条第一款第（一）项``,
    ``二(二)2``, ``前言``); ``status``/``superseded_by`` say whether the document is in force.
    """

    # The document.
    doc_id: str = ""
    doc_title: str
    short_title: str = ""
    doc_number: str
    doc_kind: str = ""
    status: str = IN_FORCE
    superseded_by: str = ""
    # The clause.
    clause: str
    reference: str = ""
    heading: str
    heading_path: str = ""
    text: str
    incomplete: bool = False
    # What the answer took from it.
    quote: str = ""
    score: float


@dataclass
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str = ""
    doc_id: str = ""
    topic: str = ""


# What an answer is: kinds of the public JSON contract.
ANSWER_KINDS = ("retrieval", "clause", "metadata", "refused", "not_found", "clarify", "error")


@dataclass
class Answer:
    """The one contract every answerer fulfils, and the one shape of every outcome, errors included.

    ``related`` holds the nearest clauses when ``found`` is false because the library has no direct
    rule (可能相关的规定); a real refusal (off-topic, injection) has none.
    """

    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    audience: str = "resident"
    kind: str = "retrieval"
    error: str = ""
    related: list[Citation] = field(default_factory=list)
    scope_score: float | None = None
    context: str = ""
    answerer: str = "extractive"
    usage: dict[str, int] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of ``ask --json`` and the web API."""
        keys = (
            "doc_title",
            "short_title",
            "doc_number",
            "doc_kind",
            "status",
            "superseded_by",
            "clause",
            "reference",
            "heading",
            "text",
            "score",
            "quote",
            "heading_path",
            "incomplete",
        )
        data = {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "kind": self.kind,
            "error": self.error,
            "audience": self.audience,
            "answerer": self.answerer,
            "scope_score": self.scope_score,
            "context": self.context,
            "citations": [{key: getattr(c, key) for key in keys} for c in self.citations],
            "related": [{key: getattr(c, key) for key in keys} for c in self.related],
            "suggestions": self.suggestions,
        }
        if self.usage:
            data["usage"] = self.usage
        return data


@dataclass
class AnswerRequest:
    """What every answerer is given: the question, who asks, the conversation so far, and the
    retrieved clauses (langchain ``Document``s, best first; read them with ``ChunkMeta.of``).

    ``named_docs`` are the ids of the documents the question (or the conversation) names;
    ``evidence`` is what the router already computed for its scope decision, if anything.
    """

    question: str
    audience: str = "resident"
    history: list[Turn] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    named_docs: list[str] = field(default_factory=list)
    evidence: Any = None


class Answerer(Protocol):
    """The contract of the answer step: one request in, one Answer out."""

    def __call__(self, request: AnswerRequest) -> Answer: ...
