"""What a user does to an index by accident: two ingests at once, kill -9 mid-ingest, damaged files.

Writers run as separate processes (as two terminals would), so each sees Chroma as a fresh process does.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import make_settings
from test_indexing import CHILDCARE, ELDERLY, VOLUNTEERS, assert_consistent, write_corpus

from assistant.errors import IndexBusyError, IndexCorruptError
from assistant.index import load_index
from assistant.indexing import ingest, remove
from assistant.settings import PROJECT_ROOT
from assistant.snapshot import read_manifest

pytestmark = pytest.mark.slow

# Runs an ingest in a child process; PAUSE names a function ("module.name" of assistant) that, once called,
# touches the file STARTED and then waits for the file GO (or forever).
CHILD = """
import importlib, os, sys, time
from pathlib import Path
from assistant import indexing
from assistant.settings import Settings

settings = Settings.from_env({{}}, index_dir=Path({index!r}), data_dir=Path({data!r}), corpus_dir=Path({corpus!r}))
started, go = Path({started!r}), Path({go!r})
pause = {pause!r}
if pause:
    module_name, name = pause.rsplit(".", 1)
    module = importlib.import_module("assistant." + module_name)
    real = getattr(module, name)
    def paused(*args, **kwargs):
        result = real(*args, **kwargs) if name != "write_manifest" else None
        started.touch()
        while not go.exists():
            time.sleep(0.05)
        return real(*args, **kwargs) if name == "write_manifest" else result
    setattr(module, name, paused)
indexing.ingest(settings=settings, rebuild={rebuild!r})
"""


def start_child(tmp_path, settings, *, pause="", rebuild=False):
    code = CHILD.format(
        index=str(settings.index_dir),
        data=str(settings.data_dir),
        corpus=str(settings.corpus_dir),
        started=str(tmp_path / "started"),
        go=str(tmp_path / "go"),
        pause=pause,
        rebuild=rebuild,
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)


def wait_for(path, process, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the child never reached the pause"
        time.sleep(0.1)


def test_a_second_ingest_waits_then_fails_clearly(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    child = start_child(tmp_path, settings, pause="ingest_plan._embed_into")
    wait_for(tmp_path / "started", child)

    began = time.monotonic()
    with pytest.raises(IndexBusyError, match="另一个 ingest 正在更新索引（.*），请稍后再试"):
        ingest(settings=settings)
    assert 1.5 < time.monotonic() - began < 10
    with pytest.raises(IndexBusyError):
        remove(["volunteers"], settings=settings)

    (tmp_path / "go").touch()
    assert child.wait(timeout=300) == 0, child.stderr.read()
    assert_consistent(settings)
    assert ingest(settings=settings).skipped == ["elderly", "volunteers"]


@pytest.mark.parametrize(
    ("rebuild", "pause"),
    [(False, "ingest_plan._embed_into"), (False, "index_writer.write_manifest"), (True, "index_writer.write_manifest")],
    ids=["ingest-after-embedding", "ingest-before-manifest", "rebuild-before-manifest"],
)
def test_kill_9_midway_then_ingest_leaves_no_orphans(tmp_path, rebuild, pause):
    corpus = write_corpus(tmp_path / "corpus", volunteers=VOLUNTEERS)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    first = start_child(tmp_path, settings)
    assert first.wait(timeout=300) == 0, first.stderr.read()  # once in a CI run it exited 1: say why next time
    manifest = read_manifest(settings.index_dir)

    write_corpus(corpus, elderly=ELDERLY, childcare=CHILDCARE)
    child = start_child(tmp_path, settings, pause=pause, rebuild=rebuild)
    wait_for(tmp_path / "started", child)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    assert read_manifest(settings.index_dir) == manifest
    assert len(list(settings.index_dir.glob("snapshot-*"))) == (1 if pause.endswith("_embed_into") else 2)
    assert list(load_index(settings).document_by_id) == ["volunteers"]  # the old index still answers

    report = ingest(settings=settings)
    assert report.added == ["childcare", "elderly"] and report.skipped == ["volunteers"]
    index = assert_consistent(settings)
    assert sorted(index.document_by_id) == ["childcare", "elderly", "volunteers"]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    """A small index built by another process, copied for each damage below."""
    root = tmp_path_factory.mktemp("built")
    corpus = write_corpus(root / "corpus", volunteers=VOLUNTEERS, elderly=ELDERLY)
    settings = make_settings(root, corpus_dir=corpus)
    assert start_child(root, settings).wait(timeout=300) == 0
    return settings


def _copy(built_index, tmp_path):
    shutil.copytree(built_index.index_dir, tmp_path / "index")
    return make_settings(tmp_path, corpus_dir=built_index.corpus_dir)


def _truncate_manifest(index_dir):
    path = index_dir / "manifest.json"
    path.write_bytes(path.read_bytes()[:200])


def _empty_manifest(index_dir):
    (index_dir / "manifest.json").write_bytes(b"")


def _garble_keyword_index(index_dir):
    snapshot = json.loads((index_dir / "manifest.json").read_text("utf-8"))["snapshot"]
    (index_dir / snapshot / "keyword" / "vocab.index.json").write_bytes(b"\x00garbled\xff")


def _delete_snapshot(index_dir):
    snapshot = json.loads((index_dir / "manifest.json").read_text("utf-8"))["snapshot"]
    shutil.rmtree(index_dir / snapshot)


def _delete_chroma_database(index_dir):
    (index_dir / "chroma" / "chroma.sqlite3").unlink()


@pytest.mark.parametrize(
    "damage",
    [_truncate_manifest, _empty_manifest, _garble_keyword_index, _delete_snapshot, _delete_chroma_database],
    ids=lambda damage: damage.__name__.strip("_"),
)
def test_a_damaged_index_is_reported_with_the_rebuild_hint(built_index, tmp_path, damage):
    settings = _copy(built_index, tmp_path)
    damage(settings.index_dir)
    with pytest.raises(IndexCorruptError, match=r"索引不完整，请运行 assistant ingest --rebuild（原因：.+）"):
        load_index(settings)
    ingest(settings=settings, rebuild=True)
    assert_consistent(settings)


def test_ingest_re_embeds_what_a_deleted_chroma_database_lost(built_index, tmp_path):
    settings = _copy(built_index, tmp_path)
    _delete_chroma_database(settings.index_dir)
    report = ingest(settings=settings)
    assert report.chunks_embedded == read_manifest(settings.index_dir)["chunk_count"]
    assert report.warnings and "已重新嵌入" in report.warnings[0]
    assert_consistent(settings)
