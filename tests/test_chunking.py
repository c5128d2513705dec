import re

from assistant.chunking import chunk_document
from assistant.text import sentence_spans, token_count


def _leaf_or_own_text_spans(doc):
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
        holders = [c for c in chunks if c.metadata["start"] <= start and end <= c.metadata["end"]]
        assert len(holders) == 1, doc.text[start:end]
    for chunk in chunks:
        assert chunk.body == doc.text[chunk.metadata["start"] : chunk.metadata["end"]]


def test_no_chunk_crosses_a_clause_boundary(seed_document):
    doc = seed_document
    spans = _leaf_or_own_text_spans(doc)
    for chunk in chunk_document(doc, budget=40):
        meta = chunk.metadata
        if meta["kind"] != "clause":
            continue
        start, end = spans[meta["clause"]]
        assert start <= meta["start"] and meta["end"] <= end


def test_long_clauses_split_between_sentences(seed_document):
    doc = seed_document
    chunks = [c for c in chunk_document(doc, budget=40) if c.metadata["clause"] == "二(二)1"]
    assert len(chunks) > 1
    for chunk in chunks:
        assert re.search(r"[。；;]$", chunk.body), chunk.body
        sentences = sentence_spans(doc.text, chunk.metadata["start"], chunk.metadata["end"])
        assert token_count(chunk.body) <= 40 or len(sentences) == 1
    assert "".join(c.body for c in chunks).replace("\n", "") == doc.clause("二(二)1").text.replace("\n", "")


def test_chunk_metadata_and_heading_path(seed_document):
    chunks = {c.metadata["clause"]: c for c in chunk_document(seed_document)}
    assert set(chunks) >= {"文件信息", "前言", "一(一)", "一(二)", "二(二)2", "二(三)1"}
    chunk = chunks["二(二)2"]
    assert chunk.text.startswith("二、运行机制 > (二)不断增强社会组织的重要协同作用 > 2. 创新社会组织培育扶持机制\n")
    meta = chunk.metadata
    assert meta["doc_number"] == "台政办发〔2016〕123号"
    assert meta["issuer"] == "台州市人民政府办公室"
    assert meta["validity"] == "继续有效"
    assert meta["title"].endswith("实施意见")
    assert meta["incomplete"] is False
    assert chunks["二(三)1"].metadata["incomplete"] is True
    assert "二、运行机制" not in chunks  # a bare heading gets no chunk of its own
