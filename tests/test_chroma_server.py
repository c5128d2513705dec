"""The same code path against a real Chroma server, started here with `chroma run` on 127.0.0.1."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest
from conftest import free_port, make_settings

from assistant.answering import build_chain
from assistant.indexing import ingest, load_index


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


def test_ingest_and_ask_through_a_chroma_server(tmp_path, chroma_server):
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = ingest(settings=settings)
    assert report.chunks_embedded > 10
    assert not (settings.index_dir / "chroma").exists()  # nothing embedded: the server holds the vectors

    index = load_index(settings)
    remote = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert remote.get_collection(index.manifest["collection"]).count() == len(index.chunks)

    answer = build_chain(index, settings=settings).ask("草根型社区社会组织可以备案吗？")
    assert answer.found and answer.citations[0].clause == "二(二)2"
