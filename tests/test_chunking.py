import re

import pytest

from assistant.chunking import HEADING_SEPARATOR, METADATA_CLAUSE, PREAMBLE_CLAUSE, chunk_document
from assistant.parsing import parse_document
from assistant.text import sentence_spans, token_count
from assistant.types import ChunkMeta


def _own_text_spans(doc):
    return {c.id: (c.start, c.end) for _, c in doc.iter_clauses()}


def test_every_sentence_in_exactly_one_chunk(seed_document):
    doc = seed_document
    chunks = chunk_document(doc)
    headings_only = {
        (c.start, c.end)
        for _, c in doc.iter_clauses()
        if c.children and len(sentence_spans(doc.text, c.start, c.end)) == 1
    }
    for start, end in sentence_spans(doc.text):
        if (start, end) in headings_only:
            continue  # a bare section heading: carried in its children's heading paths
        holders = [c for c in chunks if c.meta.start <= start and end <= c.meta.end]
        assert len(holders) == 1, doc.text[start:end]
    for chunk in chunks:
        assert chunk.body == doc.text[chunk.meta.start : chunk.meta.end]


def test_no_chunk_crosses_a_clause_boundary(seed_document):
    doc = seed_document
    spans = _own_text_spans(doc)
    for chunk in chunk_document(doc, budget=40):
        if chunk.meta.section != "clause":
            continue
        start, end = spans[chunk.meta.clause]
        assert start <= chunk.meta.start and chunk.meta.end <= end


def test_long_clauses_split_between_sentences(seed_document):
    doc = seed_document
    chunks = [c for c in chunk_document(doc, budget=40) if c.meta.clause == "二(二)1"]
    assert len(chunks) > 1
    assert [c.meta.part for c in chunks] == list(range(len(chunks)))
    assert {c.meta.parts for c in chunks} == {len(chunks)}
    for chunk in chunks:
        assert re.search(r"[。；;]$", chunk.body), chunk.body
        sentences = sentence_spans(doc.text, chunk.meta.start, chunk.meta.end)
        assert token_count(chunk.body) <= 40 or len(sentences) == 1
    assert "".join(c.body for c in chunks).replace("\n", "") == doc.clause("二(二)1").text.replace("\n", "")


def test_chunk_metadata_and_heading_path(seed_document):
    chunks = {c.meta.clause: c for c in chunk_document(seed_document)}
    assert set(chunks) >= {METADATA_CLAUSE, PREAMBLE_CLAUSE, "一(一)", "一(二)", "二(二)2", "二(三)1"}
    chunk = chunks["二(二)2"]
    path = "二、运行机制 > (二)不断增强社会组织的重要协同作用 > 2. 创新社会组织培育扶持机制"
    assert chunk.text.startswith(f"《{seed_document.title}》{path}\n")
    meta = chunk.meta
    assert meta.heading_path == path and meta.heading == "2. 创新社会组织培育扶持机制"
    assert meta.doc_number == "台政办发〔2016〕123号"
    assert meta.doc_kind == "规范性文件" and meta.status == "现行有效"
    assert meta.title.endswith("实施意见") and meta.section == "clause"
    assert meta.incomplete is False
    assert chunks["二(三)1"].meta.incomplete is True
    assert "二" not in chunks  # a bare heading gets no chunk of its own
    assert chunks[METADATA_CLAUSE].meta.section == "metadata" and chunks[PREAMBLE_CLAUSE].meta.section == "preamble"
    assert chunks[PREAMBLE_CLAUSE].body.startswith("为深入贯彻中央、省委")


def test_chunk_ids_are_stable_and_name_document_version_clause_and_part(seed_document):
    chunks = chunk_document(seed_document)
    again = chunk_document(seed_document)
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in again]
    chunk = next(c for c in chunks if c.meta.clause == "二(二)2")
    assert chunk.chunk_id == f"{seed_document.doc_id}:{seed_document.content_hash[:12]}:二(二)2:0"


def test_chunk_meta_round_trips_through_flat_metadata(seed_document):
    for chunk in chunk_document(seed_document):
        flat = chunk.meta.to_metadata()
        assert all(isinstance(value, (str, int, bool)) for value in flat.values())
        assert ChunkMeta.from_metadata(flat) == chunk.meta


STATUTE = """某某条例
第一章 总 则
第一条 为了规范管理，制定本条例。
第二条 登记管理机关履行下列职责：
（一）登记；
（二）监督检查。
登记管理机关可以委托下级机关办理前款事项。
第二章 附 则
第三条 本条例自公布之日起施行。
"""


@pytest.fixture(scope="module")
def statute():
    return parse_document(STATUTE, doc_id="statute")


def test_one_chunk_per_article_with_its_paragraphs_and_items(statute):
    chunks = [c for c in chunk_document(statute) if c.meta.section == "clause"]
    assert [c.meta.clause for c in chunks] == ["第一条", "第二条", "第三条"]  # chapters are bare headings
    article = chunks[1]
    assert article.text == (
        "《某某条例》第一章 总则 > 第二条\n"
        "第二条 登记管理机关履行下列职责：\n（一）登记；\n（二）监督检查。\n登记管理机关可以委托下级机关办理前款事项。"
    )
    assert article.meta.heading == "第二条" and article.meta.heading_path == f"第一章 总则{HEADING_SEPARATOR}第二条"
    assert chunks[2].meta.heading_path == "第二章 附则 > 第三条"


def test_a_long_article_splits_at_paragraphs_first(statute):
    pieces = [c for c in chunk_document(statute, budget=12) if c.meta.clause == "第二条"]
    assert len(pieces) > 1
    assert all(statute.text[c.meta.start - 1] == "\n" and statute.text[c.meta.end] == "\n" for c in pieces)
    assert "\n".join(c.body for c in pieces) == statute.text[pieces[0].meta.start : pieces[-1].meta.end]


def test_a_paragraph_over_budget_splits_between_sentences():
    long_paragraph = "".join(f"第{n}句话说明登记管理机关的职责。" for n in range(1, 30))
    doc = parse_document(f"某某条例\n第一条 {long_paragraph}\n", doc_id="long")
    pieces = chunk_document(doc, budget=30)
    bodies = [c.body for c in pieces if c.meta.clause == "第一条"]
    assert len(bodies) > 2 and all(body.endswith("。") for body in bodies)
    assert "".join(bodies) == doc.clause("第一条").text


def test_plain_documents_chunk_by_paragraph():
    doc = parse_document("社区公约\n大家要爱护环境。\n邻里之间互相帮助。\n", doc_id="convention")
    chunks = chunk_document(doc)
    assert [(c.meta.section, c.meta.clause, c.body) for c in chunks] == [
        ("metadata", METADATA_CLAUSE, "社区公约"),
        ("clause", "第1段", "大家要爱护环境。"),
        ("clause", "第2段", "邻里之间互相帮助。"),
    ]
