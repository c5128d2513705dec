"""Ingest and remove over small libraries written here, with the real embedder and a real Chroma in a temp folder."""

import os
import subprocess
import sys

import pytest
from conftest import make_settings

from assistant.errors import DocumentError, IndexMissingError, IndexModelMismatchError
from assistant.index import load_index
from assistant.indexing import ingest, remove
from assistant.settings import PROJECT_ROOT
from assistant.snapshot import read_manifest

VOLUNTEERS = "某市民政局关于社区志愿服务的通知\n某民发〔2021〕7号\n各街道:\n一、总体要求\n(一)目标。\n每个社区建立一支志愿服务队伍。\n"
ELDERLY = "某市民政局关于养老服务的通知\n某民发〔2021〕9号\n一、要求\n(一)每个街道建设一个养老服务中心。\n"
CHILDCARE = "某市民政局关于托育服务的通知\n某民发〔2021〕11号\n一、要求\n(一)每个街道建设一个托育中心。\n"


def write_corpus(folder, **documents):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def assert_consistent(settings):
    """Manifest, snapshot and Chroma agree, and nothing the manifest does not name is left over."""
    index = load_index(settings)
    manifest = index.manifest
    assert manifest["chunk_count"] == len(index.chunks) == index.vectors.count()
    assert index.vectors.ids() == set(index.chunk_by_id)
    assert [p.name for p in settings.index_dir.glob("snapshot-*")] == [manifest["snapshot"]]
    assert not list(settings.index_dir.glob(".manifest-*"))
    names = [c if isinstance(c, str) else c.name for c in index.vectors.client.list_collections()]
    assert [n for n in names if n.startswith(settings.collection)] == [manifest["collection"]]
    return index


def refuse_embedder(monkeypatch):
    """From here on, constructing the embedder fails the test (the real one is used everywhere else)."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the embedder was loaded")

    monkeypatch.setattr("assistant.embeddings.Embedder.__init__", refuse)


@pytest.mark.slow
def test_incremental_ingest_skips_replaces_and_deletes(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    first = ingest(settings=settings)
    assert first.added == ["elderly", "volunteers"]
    index = assert_consistent(settings)
    assert not index.embedder_loaded  # loading the index never loads the model

    (corpus / "elderly.txt").write_text(ELDERLY.replace("一个养老服务中心", "两个养老服务中心"), encoding="utf-8")
    changed = ingest(settings=settings)
    assert changed.replaced == ["elderly"] and changed.skipped == ["volunteers"]
    assert 0 < changed.chunks_embedded < first.chunks_embedded
    index = assert_consistent(settings)
    assert not any("一个养老服务中心" in c.text for c in index.chunks)

    (corpus / "elderly.txt").unlink()
    removed = ingest(settings=settings)
    assert removed.deleted == ["elderly"] and removed.chunks_embedded == 0
    index = assert_consistent(settings)
    assert [d.doc_id for d in index.documents] == ["volunteers"]


@pytest.mark.slow
def test_ingest_of_a_file_adds_it_and_keeps_the_others(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    extra = write_corpus(tmp_path / "elsewhere", childcare=CHILDCARE) / "childcare.txt"

    report = ingest([extra], settings=settings)
    assert report.added == ["childcare"] and report.deleted == [] and report.skipped == []
    index = assert_consistent(settings)
    assert sorted(index.document_by_id) == ["childcare", "elderly", "volunteers"]

    again = ingest([extra], settings=settings)
    assert again.skipped == ["childcare"] and not again.changed


@pytest.mark.slow
def test_sync_to_paths_deletes_the_others_and_says_so_first(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    extra = write_corpus(tmp_path / "elsewhere", childcare=CHILDCARE)
    announced = []

    def announce(names):
        announced.extend(names)
        assert len(read_manifest(settings.index_dir)["documents"]) == 2  # nothing written yet

    report = ingest([extra], settings=settings, sync=True, on_delete=announce)
    assert report.deleted == ["elderly", "volunteers"] and report.added == ["childcare"]
    assert announced == ["某市民政局关于养老服务的通知（elderly）", "某市民政局关于社区志愿服务的通知（volunteers）"]
    index = assert_consistent(settings)
    assert list(index.document_by_id) == ["childcare"]


@pytest.mark.slow
def test_remove_by_id_file_name_or_title_without_the_embedder(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY, childcare=CHILDCARE)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    refuse_embedder(monkeypatch)
    report = remove(["elderly.txt", "某市民政局关于托育服务的通知"], settings=settings)
    assert report.deleted == ["childcare", "elderly"] and report.skipped == ["volunteers"]
    index = assert_consistent(settings)
    assert list(index.document_by_id) == ["volunteers"]

    with pytest.raises(DocumentError, match="已索引的文档：volunteers"):
        remove(["no-such-document"], settings=settings)
    with pytest.raises(DocumentError, match="索引将为空"):
        remove(["volunteers"], settings=settings)
    assert_consistent(settings)


@pytest.mark.slow
def test_an_unchanged_library_is_not_embedded_again(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    refuse_embedder(monkeypatch)
    again = ingest(settings=settings)
    assert again.skipped == ["elderly", "volunteers"] and not again.changed and again.chunks_embedded == 0
    assert again.seconds < 5
    assert read_manifest(settings.index_dir) == manifest


@pytest.mark.slow
def test_an_index_cut_with_an_older_word_list_is_brought_up_to_date_when_opened(tmp_path, monkeypatch):
    """A newer version's seed dictionary or synonyms (say 治病 → 疾病 added): opening the index cuts its chunks
    again with them, without embedding anything; before, it kept the old words until the next ingest."""
    from assistant.index import ensure_index
    from assistant.index_check import seed_fingerprint
    from assistant.snapshot import write_manifest

    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    write_manifest(settings.index_dir, {**manifest, "vocabulary_seed": "an older list"})
    refuse_embedder(monkeypatch)
    index = ensure_index(settings)
    assert index.manifest["vocabulary_seed"] == seed_fingerprint()
    assert index.manifest["chunk_count"] == manifest["chunk_count"]


@pytest.mark.slow
def test_an_index_made_with_older_document_names_takes_the_newer_ones_when_opened(tmp_path, monkeypatch):
    """A newer data/aliases.tsv (居委会法 added): opening the index gives the kept documents the names it
    derives, without parsing or embedding anything; before, they kept the names of the version that built it."""
    import json

    from assistant.index import ensure_index
    from assistant.snapshot import write_manifest

    rules = "某市社区服务管理办法\n第一条 为了规范社区服务，制定本办法。\n第二条 本办法自发布之日起施行。\n"
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, rules=rules)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    stored = settings.index_dir / manifest["snapshot"] / "documents.json"
    records = json.loads(stored.read_text("utf-8"))
    assert "某市社区服务办法" in next(r for r in records if r["doc_id"] == "rules")["short_names"]
    for record in records:
        record["short_names"] = []  # as an older version, knowing no such name, stored it
    stored.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    write_manifest(settings.index_dir, {**manifest, "vocabulary_seed": "older aliases"})
    refuse_embedder(monkeypatch)
    index = ensure_index(settings)
    assert "某市社区服务办法" in next(d for d in index.documents if d.doc_id == "rules").short_names
    assert index.manifest["chunk_count"] == manifest["chunk_count"]


@pytest.mark.slow
def test_the_same_content_under_two_names_is_indexed_once(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY, volunteers_copy=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    report = ingest(settings=settings)
    assert report.added == ["elderly", "volunteers"]
    assert len(report.warnings) == 1 and "volunteers_copy.txt" in report.warnings[0]
    assert "volunteers.txt" in report.warnings[0]
    assert sorted(assert_consistent(settings).document_by_id) == ["elderly", "volunteers"]

    again = ingest(settings=settings)
    assert not again.changed and len(again.warnings) == 1


@pytest.mark.slow
def test_an_oversize_file_is_refused_and_changes_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus, max_file_mb=0.01)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    (corpus / "huge.txt").write_text(ELDERLY * 200, encoding="utf-8")
    with pytest.raises(DocumentError, match="huge.txt.*超过"):
        ingest(settings=settings)
    assert read_manifest(settings.index_dir) == manifest
    assert_consistent(settings)


@pytest.mark.slow
def test_a_bad_file_changes_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    (corpus / "broken.txt").write_bytes(b"\x00\xff\x00binary")
    with pytest.raises(DocumentError, match="broken.txt"):
        ingest(settings=settings)
    assert read_manifest(settings.index_dir) == manifest


@pytest.mark.slow
def test_an_empty_corpus_changes_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DocumentError, match="没有找到政策文件"):
        ingest([empty], settings=settings, sync=True)
    assert read_manifest(settings.index_dir) == manifest


@pytest.mark.slow
def test_a_link_to_a_file_outside_the_corpus_is_not_indexed(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    settings = make_settings(tmp_path, corpus_dir=corpus)
    report = ingest(settings=settings)
    assert report.added == ["volunteers"]
    index = assert_consistent(settings)
    assert not any("root:" in c.text for c in index.chunks)


@pytest.mark.slow
def test_rebuild_starts_over(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    old = read_manifest(settings.index_dir)
    report = ingest(settings=settings, rebuild=True)
    new = read_manifest(settings.index_dir)
    assert report.added == ["volunteers"]
    assert new["collection"] != old["collection"] and new["snapshot"] != old["snapshot"]
    assert_consistent(settings)


@pytest.mark.slow
def test_interrupted_ingest_leaves_the_previous_index_usable(tmp_path, monkeypatch):
    from assistant.embeddings import Embedder

    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    manifest = read_manifest(settings.index_dir)

    write_corpus(corpus, elderly=ELDERLY, childcare=CHILDCARE)
    calls = {"n": 0}
    real = Embedder.embed_documents

    def dies_midway(self, texts):
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(self, texts)

    monkeypatch.setattr(Embedder, "embed_documents", dies_midway)
    monkeypatch.setattr("assistant.embeddings.EMBED_BATCH", 1)
    with pytest.raises(KeyboardInterrupt):
        ingest(settings=settings)
    monkeypatch.undo()

    assert read_manifest(settings.index_dir) == manifest
    index = load_index(settings)  # the extra vector of the interrupted run is tolerated
    assert list(index.document_by_id) == ["volunteers"]

    report = ingest(settings=settings)  # the next ingest finishes the job and drops the leftovers
    assert report.added == ["childcare", "elderly"]
    assert_consistent(settings)


@pytest.mark.slow
def test_wrong_model_is_a_clear_error(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    other = make_settings(tmp_path, corpus_dir=corpus, embedding_model="BAAI/bge-small-zh-v1.5")
    with pytest.raises(IndexModelMismatchError, match="ingest --rebuild"):
        load_index(other)
    with pytest.raises(IndexModelMismatchError):
        ingest(settings=other)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="assistant ingest"):
        load_index(make_settings(tmp_path))
    with pytest.raises(IndexMissingError, match="assistant ingest"):
        remove(["anything"], settings=make_settings(tmp_path))


def test_reading_the_index_does_not_import_the_ingest_pipeline():
    code = (
        "import sys, assistant.index\n"
        "loaded = [m for m in ('assistant.parsing', 'assistant.chunking', 'assistant.loaders') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, env=os.environ
    )
    assert result.returncode == 0, result.stderr


def test_vector_store_searches_wide_on_a_single_thread_graph(tmp_path):
    """Chroma's defaults gave a different nearest clause from load to load; old indexes are moved over on open."""
    import chromadb

    from assistant.store import SEARCH, VectorStore

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    client.create_collection("old-index", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    for name in ("old-index", "new-index"):
        store = VectorStore(client, name)
        assert client.get_collection(name).configuration_json["hnsw"]["ef_search"] == SEARCH["ef_search"]
        hnsw = store._collection.configuration_json["hnsw"]
        assert {key: hnsw.get(key) for key in SEARCH} == SEARCH and hnsw["space"] == "cosine"


@pytest.mark.slow
def test_dense_search_over_the_whole_index_or_most_of_it_asks_chroma_once(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY, childcare=CHILDCARE)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    ingest(settings=settings)
    index = load_index(settings)
    vector = index.embedder.embed_query("养老服务中心")
    every = sorted({c.meta.doc_id for c in index.chunks})
    wide = [d for d in every if "childcare" not in d]
    filtered = {i for i, _ in index.vectors.query(vector, 30, doc_ids=wide)}
    calls, query = [], index.vectors.query
    monkeypatch.setattr(index.vectors, "query", lambda v, n, doc_ids=None: calls.append(doc_ids) or query(v, n))
    assert len(index.nearest(vector, 30, every)) == len(index.chunks) and calls == [None]
    calls.clear()
    assert {i for i, _ in index.nearest(vector, 30, wide)} == filtered and calls == [None]


def test_opening_the_index_waits_while_another_process_writes_to_it(tmp_path):
    """Opening writes the search settings (Chroma does not keep num_threads): several processes starting at
    once failed with "database is locked" (2 of 6 concurrent `assistant ask`); now each waits its turn."""
    import chromadb

    from assistant.store import VectorStore

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    VectorStore(client, "library")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(1.0)\n"
            "db.execute('COMMIT')\n",
            str(tmp_path / "chroma" / "chroma.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        store = VectorStore(client, "library")  # while the other process holds the write lock
        assert store.count() == 0
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
