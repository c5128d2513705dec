"""Files → index: the ingest and remove entry points, one writer at a time.

An ingest is incremental by content hash (``assistant.ingest_plan`` decides what changes) and is
switched in atomically (``assistant.index_writer``). The read side lives in ``assistant.index``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.errors import DocumentError, IndexBusyError, IndexMissingError
from assistant.index_check import read_checked_manifest, read_checked_snapshot
from assistant.index_writer import Build, by_document, commit, saved_vocabulary, tokenise
from assistant.ingest_plan import IngestReport, apply_ingest, check_unique_ids, read_source
from assistant.loaders import find_documents
from assistant.settings import Settings
from assistant.store import chroma_client

__all__ = ["IngestReport", "ingest", "remove"]

logger = logging.getLogger(__name__)

LOCK_FILE = ".ingest.lock"
# How long a second ingest or remove waits for the first before giving up.
LOCK_TIMEOUT_S = 2.0


@contextmanager
def _writer_lock(index_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """The index folder's lock: one ingest or remove at a time (readers need none)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S if timeout is None else timeout)
    try:
        lock.acquire()
    except Timeout as error:
        raise IndexBusyError(f"另一个 ingest 正在更新索引（{index_dir}），请稍后再试") from error
    try:
        yield
    finally:
        lock.release()


def ingest(
    paths: list[Path] | None = None,
    *,
    settings: Settings,
    rebuild: bool = False,
    sync: bool = False,
    embedder: Any = None,
    progress: bool = False,
    on_delete: Callable[[list[str]], None] | None = None,
) -> IngestReport:
    """Bring documents into the index.

    Args:
        paths: files or folders to add or update; documents not among them are kept. None: the
            corpus folder, and the index is made to match it (documents no longer there are deleted).
        settings: index folder, corpus folder, model, Chroma, chunk budget, file size limit.
        rebuild: discard the index and build it anew from ``paths`` (or the corpus folder).
        sync: with ``paths``, make the index hold exactly those files, deleting every other document.
        embedder: an already loaded embedder; by default one is loaded only if something must be embedded.
        progress: show progress bars.
        on_delete: called with the documents about to be deleted ("标题（编号）"), before anything is written.

    Returns:
        What was added, replaced, deleted or skipped, and warnings (such as duplicate files).

    Raises:
        DocumentError: a file is missing, too large, unreadable, or two files share a name; nothing is written.
        IndexBusyError: another ingest holds the index folder's lock.
        IndexModelMismatchError: the index was built with another model (use ``rebuild``).
        IndexCorruptError: the index on disk is damaged (use ``rebuild``).
        StoreError: writing to Chroma or the index folder failed; the index is left as it was.
    """
    started = time.perf_counter()
    targets = paths or [settings.corpus_dir]
    files = find_documents(targets)
    if not files:
        raise DocumentError(f"在 {'、'.join(str(p) for p in targets)} 中没有找到政策文件，索引保持不变。")
    sources = [read_source(path, settings) for path in files]
    check_unique_ids(sources)
    with _writer_lock(settings.index_dir):
        report = apply_ingest(sources, settings, rebuild, sync or not paths, embedder, progress, on_delete)
    report.seconds = time.perf_counter() - started
    logger.info("ingest: %s", report.summary())
    return report


def remove(names: list[str], *, settings: Settings) -> IngestReport:
    """Delete documents from the index by id (file stem), file name or title. Never loads the embedder.

    Raises:
        IndexMissingError: there is no index.
        DocumentError: a name matches no document (the message lists the known ids), or nothing would remain.
        IndexBusyError: another ingest holds the index folder's lock.
        StoreError: writing failed; the index is left as it was.
    """
    started = time.perf_counter()
    with _writer_lock(settings.index_dir):
        manifest = read_checked_manifest(settings.index_dir)
        if manifest is None:
            raise IndexMissingError(f"索引不存在（{settings.index_dir}）：请先运行 assistant ingest")
        doomed = {_resolve(name, manifest) for name in names}
        if doomed == set(manifest["documents"]):
            raise DocumentError("删除后索引将为空：请保留至少一个文档，或删除索引文件夹后重新 ingest。")
        snapshot = read_checked_snapshot(settings.index_dir, manifest)
        kept = Build(read_as=snapshot.read_as, token_words=snapshot.vocabulary)
        for document, chunks, tokens in by_document(snapshot):
            if document.doc_id not in doomed:
                kept.add(document, chunks, tokens)
        tokenise(kept, saved_vocabulary(settings.index_dir, manifest), fresh=len(kept.chunks))
        client = chroma_client(settings)
        commit(settings, client, manifest["collection"], kept, manifest)
        report = IngestReport(deleted=sorted(doomed), skipped=sorted(d.doc_id for d in kept.documents))
    report.seconds = time.perf_counter() - started
    logger.info("remove: %s", report.summary())
    return report


def _resolve(name: str, manifest: dict[str, Any]) -> str:
    documents = manifest["documents"]
    if name in documents:
        return name
    for doc_id, entry in documents.items():
        if name in (Path(entry["source"]).name, entry["title"]):
            return doc_id
    raise DocumentError(f"索引中没有文档 {name!r}。已索引的文档：{'、'.join(sorted(documents))}")
