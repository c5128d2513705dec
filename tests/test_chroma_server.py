"""The same code path against a real Chroma server, started here with `chroma run` on 127.0.0.1."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest
from conftest import SEED, free_port, make_settings

from assistant.index import load_index
from assistant.indexing import ingest, remove

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    log = open(tmp_path / "chroma.log", "wb")
    process = subprocess.Popen(
        [binary, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("chroma run did not start: " + (tmp_path / "chroma.log").read_text(errors="replace"))
            time.sleep(0.3)
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_ingest_remove_and_search_through_a_chroma_server(tmp_path, chroma_server):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "second.txt").write_text(
        "某市民政局关于养老服务的通知\n一、要求\n(一)每个街道建设一个养老服务中心。\n", "utf-8"
    )
    settings = make_settings(tmp_path, corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = ingest(settings=settings)
    assert report.chunks_embedded > 10
    assert not (settings.index_dir / "chroma").exists()  # nothing embedded: the server holds the vectors

    remove(["second"], settings=settings)
    index = load_index(settings)
    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert remote.get_collection(index.manifest["collection"]).count() == len(index.chunks)
    assert list(index.document_by_id) == [SEED.stem]

    hits = index.vectors.query(index.embedder.embed_query("草根型社区社会组织可以备案吗？"), 3, doc_ids=[SEED.stem])
    assert "二(二)2" in [index.chunk_by_id[chunk_id].meta.clause for chunk_id, _ in hits]
