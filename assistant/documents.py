"""The records of the ingest side: documents, clauses, chunks and their metadata.

No heavy imports here. Chunk metadata crosses modules as ``ChunkMeta`` (flattened to a dict only
for Chroma and langchain ``Document``s, and read back only through ``ChunkMeta.of``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from assistant.names import aliases

# Document kinds, in the order of the hierarchy of norms (上位法 first).
DOC_KINDS = ("法律", "行政法规", "部门规章", "地方性法规", "规范性文件", "其他")
IN_FORCE = "现行有效"
SUPERSEDED = "已被取代"


@dataclass
class Clause:
    """One numbered unit of a document.

    ``kind`` names the unit: legal 编/章/节/条/款/项/目, policy 部分 (一、) / 节 ((一)) / 点 (1.) / 小点 ((1)),
    ``附件``, or ``段`` for paragraphs of a document with no structure. ``id`` is unique within its
    document (``第十条第一款第(一)项``, ``二(二)2``); ``label`` the number as printed; ``heading`` a
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
    kind: str = ""
    incomplete: bool = False
    children: list[Clause] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The heading as it reads in a heading path: ``2. 创新社会组织培育扶持机制``, ``第三章 成立登记``."""
        if not self.heading:
            return self.label
        separator = " " if (self.level == 3 and self.kind == "点") or self.label.endswith(("章", "节", "编")) else ""
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


@dataclass(kw_only=True)
class PolicyDocument:
    """A policy document: its metadata and its clause tree, over the cleaned text. Built by keyword.

    ``structure`` is ``legal`` (第X条), ``policy`` (一、/(一)) or ``plain`` (indexed by paragraph).
    ``status`` is ``现行有效`` or ``已被取代``; ``superseded_by`` names the replacing document's title.
    ``short_names`` are the names people use (社团条例, 慈善法), derived from the title plus aliases.
    """

    # Where it comes from.
    doc_id: str
    source: str
    content_hash: str
    title: str
    # What its header says.
    doc_number: str = ""
    """文号 or 令号 (国务院令第250号, 中发〔2017〕13号), editorial notes removed; empty when it has none."""
    kind: str = ""
    """One of ``DOC_KINDS``."""
    issuer: str = ""
    date: str = ""
    """公布, 发布 or 成文 date as written."""
    effective: str = ""
    """施行 date as written."""
    amended: str = ""
    """修正 / 修订 notes as written."""
    short_names: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    """主送: whom a policy document is addressed to."""
    status: str = IN_FORCE
    superseded_by: str = ""
    validity: str = ""
    validity_source: str = ""
    # Its text and structure.
    text: str
    structure: str = "policy"
    metadata_span: tuple[int, int] = (0, 0)
    preamble_span: tuple[int, int] = (0, 0)
    clauses: list[Clause] = field(default_factory=list)
    incomplete: bool = False
    warnings: list[str] = field(default_factory=list)

    def iter_clauses(self) -> Iterator[tuple[list[Clause], Clause]]:
        """Every clause in reading order, with the chain of its ancestors."""

        def walk(clauses: list[Clause], ancestors: list[Clause]):
            for clause in clauses:
                yield ancestors, clause
                yield from walk(clause.children, ancestors + [clause])

        yield from walk(self.clauses, [])

    def clause(self, clause_id: str) -> Clause | None:
        return self._clause_map().get(clause_id)

    def ancestors(self, clause_id: str) -> list[Clause]:
        return self._ancestor_map().get(clause_id, [])

    def heading_path(self, clause_id: str) -> list[str]:
        clause = self.clause(clause_id)
        return [a.title for a in self.ancestors(clause_id)] + [clause.title] if clause else []

    def _clause_map(self) -> dict[str, Clause]:
        cache = self.__dict__.get("_clauses")
        if cache is None:
            cache = {c.id: c for _, c in self.iter_clauses()}
            self.__dict__["_clauses"] = cache
        return cache

    def _ancestor_map(self) -> dict[str, list[Clause]]:
        cache = self.__dict__.get("_ancestors")
        if cache is None:
            cache = {c.id: a for a, c in self.iter_clauses()}
            self.__dict__["_ancestors"] = cache
        return cache

    @property
    def short_title(self) -> str:
        """The shortest name people use, or the title. An initialism (村组法) is a name to look up, not one to
        show: a name under four characters is shown only when the title ends with it (慈善法). A name kept as
        data (居委会法, 基层治理意见) is shown only when the title's own words give none (居委会组织法)."""
        shown = [n for n in self.short_names if len(n) >= 4 or self.title.endswith(n)]
        spoken = set(aliases()[1].get(self.title, ()))
        shown = [n for n in shown if n not in spoken] or shown
        return min(shown, key=len) if shown else self.title

    @property
    def in_force(self) -> bool:
        return self.status == IN_FORCE

    @property
    def metadata_text(self) -> str:
        return self.text[self.metadata_span[0] : self.metadata_span[1]]

    @property
    def preamble(self) -> str:
        return self.text[self.preamble_span[0] : self.preamble_span[1]]

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["clauses"] = [clause.to_dict() for clause in self.clauses]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyDocument:
        clauses = [Clause.from_dict(c) for c in data.get("clauses", [])]
        spans = {key: tuple(data[key]) for key in ("metadata_span", "preamble_span") if key in data}
        return cls(**{**data, **spans, "clauses": clauses})


@dataclass(frozen=True)
class ChunkMeta:
    """What every chunk carries: where it comes from. Flat scalars, so Chroma can store it.

    ``section`` is ``clause``, ``metadata`` (the header lines) or ``preamble``; ``clause`` the clause id
    (or 文件信息 / 前言); ``start``/``end`` the chunk body's offsets in the document's cleaned text.
    """

    doc_id: str
    title: str
    doc_number: str
    doc_kind: str
    status: str
    section: str
    clause: str
    heading: str
    heading_path: str
    start: int
    end: int
    part: int = 0
    parts: int = 1
    incomplete: bool = False

    def to_metadata(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> ChunkMeta:
        return cls(**{f.name: metadata[f.name] for f in fields(cls)})

    @classmethod
    def of(cls, document: Any) -> ChunkMeta:
        """The record of a retrieved langchain ``Document``."""
        return cls.from_metadata(document.metadata)

    @property
    def key(self) -> tuple[str, str]:
        """Unique across the library: document plus clause path."""
        return (self.doc_id, self.clause)


@dataclass(frozen=True)
class RetrievalScores:
    """How the retriever ranked a chunk (rank 0: not found by that method)."""

    score: float = 0.0
    bm25: float = 0.0
    bm25_rank: int = 0
    dense: float = 0.0
    dense_rank: int = 0

    def to_metadata(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, document: Any) -> RetrievalScores:
        return cls(**{f.name: document.metadata.get(f.name, 0) for f in fields(cls)})


@dataclass
class Chunk:
    """What gets indexed: a clause (or a sentence-aligned part of a long one), with its heading path.

    ``text`` (what is embedded and keyword-indexed) is the heading path, a newline, then ``body``.
    """

    chunk_id: str
    text: str
    meta: ChunkMeta

    @property
    def body(self) -> str:
        return self.text.split("\n", 1)[1] if "\n" in self.text else self.text
