"""The built index as answering reads it: documents, chunks, keyword and vector indexes, checked on load.

Reading never imports the ingest pipeline (parsing, chunking, loaders), and the embedding model is
loaded only when a question first needs a vector, so a clause look-up never pays for it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import AssistantError, IndexCorruptError, IndexMissingError, IndexModelMismatchError, StoreError
from assistant.settings import Settings
from assistant.store import (
    MANIFEST,
    SNAPSHOT_PREFIX,
    KeywordIndex,
    Snapshot,
    VectorStore,
    chroma_client,
    collection_names,
    read_manifest,
    read_snapshot,
)
from assistant.text import use_vocabulary
from assistant.types import Chunk, PolicyDocument
from assistant.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

# Bumped when the manifest or snapshot layout changes; an index of another format must be rebuilt.
MANIFEST_FORMAT = 3
VOCABULARY_FILE = "vocabulary.json"
"""The jieba vocabulary of a snapshot, derived from its documents at ingest."""
_MANIFEST_FIELDS = {
    "format": int,
    "embedding_model": str,
    "model_name": str,
    "collection": str,
    "snapshot": str,
    "chunk_count": int,
    "documents": dict,
}
_DOCUMENT_FIELDS = {"source": str, "content_hash": str, "title": str, "chunk_tokens": int, "chunks": list}


WIDE_SCOPE = 0.5
"""Share of the chunks from which a scoped vector search filters afterwards instead of in Chroma."""
WIDE_SCOPE_OVERFETCH = 2
"""How many times the wanted number of vectors an unfiltered search of a wide scope asks for."""


class PolicyIndex:
    """Everything a question is answered from: documents, chunks, both indexes, and (lazily) the embedder."""

    def __init__(
        self,
        documents: list[PolicyDocument],
        chunks: list[Chunk],
        keyword: KeywordIndex,
        vectors: VectorStore,
        manifest: dict[str, Any],
        *,
        embedder: Any = None,
    ) -> None:
        self.documents = documents
        self.chunks = chunks
        self.keyword = keyword
        self.vectors = vectors
        self.manifest = manifest
        self.chunk_by_id = {c.chunk_id: c for c in chunks}
        self.document_by_id = {d.doc_id: d for d in documents}
        self.position_by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        """A chunk's position in ``chunks``, which is also its row in the keyword scores."""
        self._doc_row = {doc_id: row for row, doc_id in enumerate(self.document_by_id)}
        self._chunk_doc_rows = np.array([self._doc_row.get(c.meta.doc_id, -1) for c in chunks], dtype=np.int64)
        self._embedder = embedder
        self._embedder_lock = threading.Lock()

    @property
    def embedder(self):
        """The embedding model, loaded on first use (once, whichever thread asks first)."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    passive_threads()
                    from assistant.embeddings import Embedder

                    self._embedder = Embedder(self.manifest["model_name"])
        return self._embedder

    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def nearest(
        self, vector: list[float], n: int, doc_ids: list[str] | tuple[str, ...] = ()
    ) -> list[tuple[str, float]]:
        """The ``n`` chunks nearest to ``vector`` (chunk id, cosine similarity), only of ``doc_ids`` when given.

        Chroma's filter on many documents costs far more than the search itself (1,000 documents, 13k
        vectors: 120 ms against 3 ms), so a scope holding most chunks is searched unfiltered for
        ``WIDE_SCOPE_OVERFETCH`` times as many, keeping the scope's; the filter serves narrow scopes, and
        wide ones whose nearest chunks lie mostly outside. Vectors the index holds no chunk for are skipped.
        """
        if doc_ids:
            in_scope = self.chunk_mask(doc_ids)
            if in_scope.mean() >= WIDE_SCOPE:
                rows = (
                    (self.position_by_id.get(i), s) for i, s in self.vectors.query(vector, WIDE_SCOPE_OVERFETCH * n)
                )
                kept = [(self.chunks[row].chunk_id, s) for row, s in rows if row is not None and in_scope[row]]
                if len(kept) >= n:
                    return kept[:n]
        hits = self.vectors.query(vector, n, doc_ids=list(doc_ids) or None)
        return [(i, s) for i, s in hits if i in self.chunk_by_id]

    def chunk_mask(self, doc_ids: list[str] | tuple[str, ...]) -> np.ndarray:
        """True for the chunks of ``doc_ids``, in the order of ``chunks``."""
        wanted = np.zeros(len(self._doc_row) + 1, dtype=bool)  # the extra last row: chunks of no document
        wanted[[self._doc_row[d] for d in doc_ids if d in self._doc_row]] = True
        return wanted[self._chunk_doc_rows]


def passive_threads() -> None:
    """Let the model's OpenMP threads sleep, not spin, while they wait (unless the user chose otherwise).

    Spinning threads are harmless on an idle machine and ruinous on a busy one: on 2 cores shared with
    other work, one query embedding took 5.9 s with the default policy and 56 ms with this one; batch
    throughput is unchanged. Takes effect only before the engine is first loaded.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def corrupt(reason: str) -> IndexCorruptError:
    return IndexCorruptError(f"索引不完整，请运行 assistant ingest --rebuild（原因：{reason}）")


def mismatch(built_with: str, configured: str) -> IndexModelMismatchError:
    return IndexModelMismatchError(
        f"索引是用模型 {built_with} 建的，当前配置为 {configured}：请运行 assistant ingest --rebuild"
    )


def read_checked_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The manifest, None when there is no index.

    Raises:
        IndexCorruptError: the manifest is not JSON, of another format, or incomplete.
    """
    try:
        manifest = read_manifest(index_dir)
    except (OSError, ValueError) as error:
        raise corrupt(f"manifest.json 无法读取：{error}") from error
    if manifest is None:
        return None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise corrupt(f"manifest.json 是旧格式（{manifest.get('format', 1)}），当前为 {MANIFEST_FORMAT}")
    for name, kind in _MANIFEST_FIELDS.items():
        if not isinstance(manifest.get(name), kind):
            raise corrupt(f"manifest.json 缺少 {name}")
    for doc_id, entry in manifest["documents"].items():
        if not isinstance(entry, dict) or any(not isinstance(entry.get(k), t) for k, t in _DOCUMENT_FIELDS.items()):
            raise corrupt(f"manifest.json 中文档 {doc_id} 的记录不完整")
    listed = sum(len(entry["chunks"]) for entry in manifest["documents"].values())
    if listed != manifest["chunk_count"]:
        raise corrupt(f"manifest.json 记录 {manifest['chunk_count']} 个片段，文档列出 {listed} 个")
    snapshot = manifest["snapshot"]
    if not snapshot.startswith(SNAPSHOT_PREFIX) or "/" in snapshot or "\\" in snapshot:
        raise corrupt(f"manifest.json 中的快照名 {snapshot!r} 无效")
    return manifest


def manifest_chunk_ids(manifest: dict[str, Any]) -> set[str]:
    return {chunk_id for entry in manifest["documents"].values() for chunk_id in entry["chunks"]}


def read_checked_snapshot(index_dir: Path, manifest: dict[str, Any], *, tokens: bool = True) -> Snapshot:
    """The snapshot the manifest names, checked against it.

    Raises:
        IndexCorruptError: the folder is missing, a file is damaged, or it holds other documents or chunks.
    """
    folder = index_dir / manifest["snapshot"]
    if not folder.is_dir():
        raise corrupt(f"快照文件夹 {folder.name} 不存在")
    try:
        snapshot = read_snapshot(folder, tokens=tokens)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise corrupt(f"快照 {folder.name} 无法读取：{error}") from error
    if len(snapshot.chunks) != manifest["chunk_count"]:
        raise corrupt(f"快照有 {len(snapshot.chunks)} 个片段，manifest.json 记录 {manifest['chunk_count']} 个")
    if {c.chunk_id for c in snapshot.chunks} != manifest_chunk_ids(manifest):
        raise corrupt("快照中的片段与 manifest.json 不一致")
    if {d.doc_id for d in snapshot.documents} != set(manifest["documents"]):
        raise corrupt("快照中的文档与 manifest.json 不一致")
    return snapshot


def check_model(manifest: dict[str, Any], settings: Settings) -> None:
    """Raises IndexModelMismatchError when the index was built with another model than the configured one."""
    from assistant.embeddings import model_identity

    configured = model_identity(settings.embedding_model)
    if manifest["embedding_model"] != configured:
        raise mismatch(manifest["embedding_model"], configured)


def load_index(settings: Settings, *, embedder: Any = None) -> PolicyIndex:
    """The index under ``settings.index_dir``, checked for completeness.

    Args:
        settings: where the index is and which model and Chroma it uses.
        embedder: an already loaded embedder to use; by default one is loaded on first use.

    Raises:
        IndexMissingError: no index has been built.
        IndexModelMismatchError: the index was built with another embedding model.
        IndexCorruptError: a file is missing or damaged, or Chroma holds fewer vectors than the manifest lists.
    """
    manifest = read_checked_manifest(settings.index_dir)
    if manifest is None:
        raise IndexMissingError(f"索引不存在（{settings.index_dir}）：请先运行 assistant ingest")
    check_model(manifest, settings)
    try:
        return _load(settings, manifest, embedder)
    except IndexCorruptError:
        # An ingest that finished between our reads removes the snapshot we were about to read.
        latest = read_checked_manifest(settings.index_dir)
        if latest is None or latest == manifest:
            raise
        return _load(settings, latest, embedder)


def _load(settings: Settings, manifest: dict[str, Any], embedder: Any) -> PolicyIndex:
    snapshot = read_checked_snapshot(settings.index_dir, manifest, tokens=False)
    try:
        keyword = KeywordIndex.load(settings.index_dir / manifest["snapshot"] / "keyword")
    except StoreError as error:
        raise corrupt(str(error)) from error
    if len(keyword) != len(snapshot.chunks):
        raise corrupt(f"关键词索引有 {len(keyword)} 个片段，快照有 {len(snapshot.chunks)} 个")
    vectors = _checked_vectors(settings, manifest)
    try:  # questions are cut with the vocabulary the chunks were cut with
        vocabulary = Vocabulary.load(settings.index_dir / manifest["snapshot"] / VOCABULARY_FILE)
    except FileNotFoundError:
        raise corrupt("快照中没有词表 vocabulary.json（旧版本建立的索引）") from None
    except (OSError, ValueError) as error:
        raise corrupt(f"词表 vocabulary.json 损坏：{error}") from error
    use_vocabulary(vocabulary)
    index = PolicyIndex(snapshot.documents, snapshot.chunks, keyword, vectors, manifest, embedder=embedder)
    index.vocabulary = vocabulary  # answering re-installs it, should another index have been loaded since
    return index


def _checked_vectors(settings: Settings, manifest: dict[str, Any]) -> VectorStore:
    """The collection, holding a vector for every chunk the manifest lists.

    Extra vectors (an ingest was interrupted after embedding) are tolerated: retrieval ignores them
    and the next ingest deletes them.
    """
    client = chroma_client(settings)
    name = manifest["collection"]
    if name not in collection_names(client):
        raise corrupt(f"向量库中没有集合 {name}（chroma.sqlite3 被删除或换了 Chroma 服务？）")
    vectors = VectorStore(client, name)
    count, expected = vectors.count(), manifest["chunk_count"]
    if count != expected:
        missing = len(manifest_chunk_ids(manifest) - vectors.ids())
        if missing:
            raise corrupt(
                f"向量库有 {count} 个向量，缺少 {missing} 个片段的向量（manifest.json 记录 {expected} 个片段）"
            )
        logger.warning(
            "collection %s holds %d vectors no chunk uses; the next ingest removes them", name, count - expected
        )
    return vectors


def ensure_index(settings: Settings, *, progress: bool = False) -> PolicyIndex:
    """Load the index, building it from ``settings.corpus_dir`` first if there is none (with a progress bar)."""
    if read_checked_manifest(settings.index_dir) is None:
        from assistant.indexing import ingest  # the write side, needed only when there is nothing to read

        logger.info("no index at %s: building it from %s", settings.index_dir, settings.corpus_dir)
        ingest(settings=settings, progress=progress)
    return load_index(settings)


MANIFEST_CHECK_S = 2.0
"""How often (at most) a long-running server looks whether an ingest elsewhere replaced the index."""


class IndexHolder:
    """The index and the answer chain of a long-running server, replaced when an ingest elsewhere
    replaces the manifest: how replicas sharing one index folder and one Chroma server pick up a change.

    A question costs at most one ``stat`` of manifest.json every ``check_every`` seconds; when the file
    changed, a background thread loads the new index and builds its chain while the old ones keep
    answering, then swaps them in. ``reload()`` does the same at once (for a signal handler).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        build_chain=None,
        check_every: float = MANIFEST_CHECK_S,
        build_missing: bool = False,
    ) -> None:
        if build_chain is None:
            from assistant.router import build_chain as default

            def build_chain(index: PolicyIndex):
                return default(index, settings=settings)

        self.settings = settings
        self.check_every = check_every
        self._build_chain = build_chain
        self._stamp = _manifest_stamp(settings.index_dir)
        self._index = ensure_index(settings, progress=True) if build_missing else load_index(settings)
        self._chain = build_chain(self._index)
        self._checked = time.monotonic()
        self._reloading = threading.Lock()

    def index(self) -> PolicyIndex:
        self._check()
        return self._index

    def chain(self):
        self._check()
        return self._chain

    def live_chain(self) -> LiveChain:
        """A stand-in for the chain that always answers from the current one (for a page built once)."""
        return LiveChain(self)

    def reload(self) -> bool:
        """Load the index the manifest names now, if it is another build; True when it was swapped in.

        A failed load (an ingest still writing, a Chroma server away) is logged and the current index kept.
        """
        with self._reloading:
            return self._reload()

    def _check(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return
        self._checked = now
        if _manifest_stamp(self.settings.index_dir) != self._stamp and self._reloading.acquire(blocking=False):
            threading.Thread(target=self._reload_in_background, name="index-reload", daemon=True).start()

    def _reload_in_background(self) -> None:
        try:
            self._reload()
        finally:
            self._reloading.release()

    def _reload(self) -> bool:
        stamp = _manifest_stamp(self.settings.index_dir)
        try:
            manifest = read_checked_manifest(self.settings.index_dir)
            if manifest is None or manifest["snapshot"] == self._index.manifest["snapshot"]:
                self._stamp = stamp
                return False
            current = self._index
            index = load_index(self.settings, embedder=current.embedder if current.embedder_loaded else None)
            chain = self._build_chain(index)
        except AssistantError as error:
            logger.warning("index changed but could not be loaded; still answering from the previous one: %s", error)
            return False
        self._index, self._chain, self._stamp = index, chain, stamp
        logger.info(
            "reloaded the index: snapshot %s, %d documents, %d chunks",
            index.manifest["snapshot"],
            len(index.documents),
            len(index.chunks),
        )
        return True


class LiveChain:
    """Every attribute (``ask``, ``turn``, ``index``, ``library`` …) is looked up on the holder's chain
    of the moment, so code handed one chain at start-up answers from each index an ingest brings."""

    def __init__(self, holder: IndexHolder) -> None:
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._holder.chain(), name)


def _manifest_stamp(index_dir: Path) -> tuple[int, int, int] | None:
    """What changes when an ingest replaces manifest.json (a new file each time: inode, size, mtime)."""
    try:
        status = (index_dir / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns
