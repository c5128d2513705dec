import shutil

import pytest
from conftest import SEED, make_settings

from assistant.embeddings import Embedder
from assistant.errors import DocumentError, IndexMissingError, IndexModelMismatchError
from assistant.indexing import ingest, load_index
from assistant.retrieval import HybridRetriever
from assistant.store import read_manifest


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "second.txt").write_text(
        "某市民政局关于社区志愿服务的通知\n某民发〔2021〕7号\n各街道:\n一、总体要求\n(一)目标。\n每个社区建立一支志愿服务队伍。\n",
        encoding="utf-8",
    )
    return corpus


def test_incremental_ingest_skips_replaces_and_deletes(tmp_path):
    corpus = _corpus(tmp_path)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    first = ingest(settings=settings)
    assert sorted(first.added) == ["second", SEED.stem]
    index = load_index(settings)
    ids_before = set(index.chunk_by_id)
    assert index.vectors.ids() == ids_before

    again = ingest(settings=settings)
    assert sorted(again.skipped) == ["second", SEED.stem] and again.chunks_embedded == 0

    (corpus / "second.txt").write_text(
        "某市民政局关于社区志愿服务的通知\n某民发〔2021〕8号\n各街道:\n一、总体要求\n(一)目标。\n每个社区建立两支志愿服务队伍。\n",
        encoding="utf-8",
    )
    changed = ingest(settings=settings)
    assert changed.replaced == ["second"] and changed.skipped == [SEED.stem]
    index = load_index(settings)
    assert index.document_by_id["second"].doc_number == "某民发〔2021〕8号"
    assert not any("一支志愿服务队伍" in c.text for c in index.chunks)
    assert index.vectors.ids() == set(index.chunk_by_id)

    (corpus / "second.txt").unlink()
    removed = ingest(settings=settings)
    assert removed.deleted == ["second"]
    index = load_index(settings)
    assert [d.doc_id for d in index.documents] == [SEED.stem]
    assert index.vectors.ids() == set(index.chunk_by_id)
    assert set(read_manifest(settings.index_dir)["documents"]) == {SEED.stem}


def test_wrong_model_is_a_clear_error(built_settings):
    other = make_settings(built_settings.index_dir.parent, embedding_model="BAAI/bge-small-zh-v1.5")
    with pytest.raises(IndexModelMismatchError, match="ingest --rebuild"):
        load_index(other)
    with pytest.raises(IndexModelMismatchError):
        ingest(settings=other)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="assistant ingest"):
        load_index(make_settings(tmp_path))


def test_interrupted_ingest_leaves_the_previous_index_usable(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)

    (corpus / "second.txt").write_text("某市关于养老服务的通知\n一、要求\n(一)建设养老服务中心。\n", encoding="utf-8")
    (corpus / "third.txt").write_text("某市关于托育服务的通知\n一、要求\n(一)建设托育中心。\n", encoding="utf-8")
    calls = {"n": 0}
    real = Embedder.embed_passages

    def dies_midway(self, texts):
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(self, texts)

    monkeypatch.setattr(Embedder, "embed_passages", dies_midway)
    monkeypatch.setattr("assistant.indexing.EMBED_BATCH", 1)
    with pytest.raises(KeyboardInterrupt):
        ingest(settings=settings)
    monkeypatch.undo()

    assert read_manifest(settings.index_dir) == manifest
    index = load_index(settings)
    docs = HybridRetriever(index=index, k=3).invoke("一支志愿服务队伍")
    assert docs[0].metadata["doc_id"] == "second"
    assert all(d.id in index.chunk_by_id for d in docs)

    report = ingest(settings=settings)  # the next ingest finishes the job and drops the orphans
    assert sorted(report.added) == ["third"] and report.replaced == ["second"]
    index = load_index(settings)
    assert index.vectors.ids() == set(index.chunk_by_id)


def test_a_bad_file_changes_nothing(tmp_path):
    corpus = _corpus(tmp_path)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    (corpus / "broken.txt").write_bytes(b"\x00\xff\x00binary")
    with pytest.raises(DocumentError, match="broken.txt"):
        ingest(settings=settings)
    assert read_manifest(settings.index_dir) == manifest


def test_rebuild_starts_over(tmp_path):
    settings = make_settings(tmp_path)
    ingest(settings=settings)
    old = read_manifest(settings.index_dir)
    report = ingest(settings=settings, rebuild=True)
    new = read_manifest(settings.index_dir)
    assert report.added == [SEED.stem]
    assert new["collection"] != old["collection"] and new["snapshot"] != old["snapshot"]
    index = load_index(settings)
    assert index.vectors.ids() == set(index.chunk_by_id)
    collections = [c if isinstance(c, str) else c.name for c in index.vectors.client.list_collections()]
    assert collections == [new["collection"]]


def test_an_empty_corpus_changes_nothing(tmp_path):
    settings = make_settings(tmp_path)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DocumentError, match="没有找到政策文件"):
        ingest([empty], settings=settings)
    assert read_manifest(settings.index_dir) == manifest
