"""Invariants of parsing and chunking, checked over every document of the bundled corpus."""

import re
from collections import Counter

import pytest

from assistant.chunking import chunk_document
from assistant.parsing import load_document
from assistant.settings import PROJECT_ROOT
from assistant.structure import chinese_number
from assistant.text import normalize, sentence_spans

CORPUS_FILES = sorted((PROJECT_ROOT / "corpus").rglob("*.txt"))
HEADER_NUMBER = re.compile(r"令第|〔\d{4}〕|公告\d{4}年第")


@pytest.fixture(scope="module")
def parsed():
    """Every corpus document, parsed and chunked once for the module."""
    results = {}
    for path in CORPUS_FILES:
        doc = load_document(path)
        results[path] = (doc, chunk_document(doc))
    return results


@pytest.fixture(params=CORPUS_FILES, ids=lambda path: path.relative_to(PROJECT_ROOT / "corpus").as_posix())
def document(request, parsed):
    return parsed[request.param]


def test_the_corpus_is_all_there():
    assert len(CORPUS_FILES) >= 25
    assert any(path.parent.name == "superseded" for path in CORPUS_FILES)


def test_every_sentence_lands_in_exactly_one_chunk(document):
    doc, chunks = document
    heading_paths = " ".join(chunk.meta.heading_path for chunk in chunks)
    for start, end in sentence_spans(doc.text):
        holders = [c for c in chunks if c.meta.start <= start and end <= c.meta.end]
        if holders:
            assert len(holders) == 1, (doc.text[start:end], [c.chunk_id for c in holders])
            continue
        # Only a bare heading may stay out of the bodies, and then it is in its children's heading paths.
        owner = next(c for _, c in doc.iter_clauses() if c.start <= start and end <= c.end)
        assert owner.children, doc.text[start:end]
        assert normalize(owner.text).rstrip("。:：") == normalize(owner.title), doc.text[start:end]
        assert owner.title in heading_paths
    for chunk in chunks:
        assert chunk.body == doc.text[chunk.meta.start : chunk.meta.end]
        assert chunk.text.startswith(f"《{doc.title}》{chunk.meta.heading_path}\n")


def test_clause_ids_are_unique_within_the_document(document):
    doc, _ = document
    counts = Counter(clause.id for _, clause in doc.iter_clauses())
    assert [clause_id for clause_id, n in counts.items() if n > 1] == []
    assert not any("重复" in warning for warning in doc.warnings)


def test_chunk_ids_are_unique_across_the_corpus(parsed):
    counts = Counter(chunk.chunk_id for _, chunks in parsed.values() for chunk in chunks)
    assert [chunk_id for chunk_id, n in counts.items() if n > 1] == []


def test_articles_run_from_one_without_gaps(document):
    doc, _ = document
    if doc.structure != "legal":
        assert not any(clause.kind == "条" for _, clause in doc.iter_clauses())
        return
    numbers = [
        chinese_number(c.label.removeprefix("第").removesuffix("条")) for _, c in doc.iter_clauses() if c.kind == "条"
    ]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(clause.kind == "条" or clause.kind in "编章节" for clause in _top_two_levels(doc))


def _top_two_levels(doc):
    for clause in doc.clauses:
        yield clause
        if clause.kind in "编章节":
            yield from clause.children


def test_every_document_has_a_title_and_the_number_its_header_carries(document):
    doc, _ = document
    first_line = doc.text.split("\n", 1)[0]
    assert doc.title and normalize(re.sub(r"（.*", "", doc.title)) in normalize(first_line)
    first_clause = doc.clauses[0].start if doc.clauses else len(doc.text)
    header = [line for line in doc.text[:first_clause].split("\n") if len(line) <= 80]
    numbered = [line for line in header if HEADER_NUMBER.search(line)]
    if numbered:
        assert doc.doc_number, numbered
        assert normalize(doc.doc_number) in normalize(numbered[0])
    assert doc.kind and doc.status and doc.structure in ("legal", "policy")
    assert not doc.warnings
