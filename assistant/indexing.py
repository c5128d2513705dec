"""Corpus → index, incremental by content hash; and the loaded index that retrieval reads."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.embeddings import Embedder, model_identity
from assistant.errors import DocumentError, IndexMissingError, IndexModelMismatchError
from assistant.loaders import find_documents
from assistant.parsing import load_document
from assistant.settings import Settings
from assistant.store import (
    KeywordIndex,
    VectorStore,
    chroma_client,
    read_manifest,
    read_snapshot,
    remove_stale_snapshots,
    write_manifest,
    write_snapshot,
)
from assistant.text import search_tokens
from assistant.types import Chunk, PolicyDocument

logger = logging.getLogger(__name__)

EMBED_BATCH = 16


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"新增 {len(self.added)}，更新 {len(self.replaced)}，删除 {len(self.deleted)}，未变 {len(self.skipped)}；"
            f"嵌入 {self.chunks_embedded} 个片段，用时 {self.seconds:.1f} 秒"
        )


def _mismatch(built_with: str, configured: str) -> IndexModelMismatchError:
    return IndexModelMismatchError(
        f"索引是用模型 {built_with} 建的，当前配置为 {configured}：请运行 assistant ingest --rebuild"
    )


def ingest(
    paths: list[Path] | None = None,
    *,
    settings: Settings,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the documents at ``paths`` (default: the corpus folder).

    Unchanged documents are skipped, changed ones replaced, ones no longer present deleted.
    Every file is parsed before the index is touched, so a bad file changes nothing.
    """
    started = time.perf_counter()
    files = find_documents(paths or [settings.corpus_dir])
    if not files:
        where = "、".join(str(p) for p in (paths or [settings.corpus_dir]))
        raise DocumentError(f"在 {where} 中没有找到政策文件（.txt 或 .md），索引保持不变。")
    documents = [load_document(path) for path in files]
    _check_unique_ids(documents, files)

    index_dir = settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest = None if rebuild else read_manifest(index_dir)
    identity = model_identity(settings.embedding_model)
    if manifest and manifest["embedding_model"] != identity:
        raise _mismatch(manifest["embedding_model"], identity)

    old_docs = manifest["documents"] if manifest else {}
    previous: dict[str, list[Chunk]] = {}
    if manifest:
        _, old_chunks, _ = read_snapshot(index_dir / manifest["snapshot"])
        for chunk in old_chunks:
            previous.setdefault(chunk.metadata["doc_id"], []).append(chunk)

    report = IngestReport()
    all_chunks: list[Chunk] = []
    to_embed: list[Chunk] = []
    for doc in documents:
        old = old_docs.get(doc.doc_id)
        if old and old["hash"] == doc.content_hash and old.get("chunk_tokens") == settings.chunk_tokens:
            report.skipped.append(doc.doc_id)
            all_chunks.extend(previous.get(doc.doc_id, []))
            continue
        (report.replaced if old else report.added).append(doc.doc_id)
        chunks = chunk_document(doc, budget=settings.chunk_tokens)
        all_chunks.extend(chunks)
        to_embed.extend(chunks)
    current = {d.doc_id for d in documents}
    report.deleted = sorted(set(old_docs) - current)

    client = chroma_client(settings)
    collection = manifest["collection"] if manifest else f"{settings.collection}-{uuid.uuid4().hex[:8]}"
    store = VectorStore(client, collection)
    if manifest and not (report.added or report.replaced or report.deleted):
        store.delete(store.ids() - {c.chunk_id for c in all_chunks})  # leftovers of an interrupted ingest
        report.seconds = time.perf_counter() - started
        return report
    embedder = embedder or Embedder(settings.embedding_model)
    if embedder.identity != identity:
        raise _mismatch(embedder.identity, identity)
    _embed_into(store, to_embed, embedder, progress=progress)
    report.chunks_embedded = len(to_embed)

    snapshot = f"snapshot-{uuid.uuid4().hex[:12]}"
    keyword = KeywordIndex.build([search_tokens(c.text) for c in all_chunks])
    write_snapshot(index_dir / snapshot, documents, all_chunks, keyword)
    doc_chunks: dict[str, list[str]] = {}
    for chunk in all_chunks:
        doc_chunks.setdefault(chunk.metadata["doc_id"], []).append(chunk.chunk_id)
    write_manifest(
        index_dir,
        {
            "embedding_model": identity,
            "model_name": settings.embedding_model,
            "collection": collection,
            "chroma": f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_server else "embedded",
            "snapshot": snapshot,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "documents": {
                d.doc_id: {
                    "hash": d.content_hash,
                    "source": d.source,
                    "chunk_tokens": settings.chunk_tokens,
                    "chunks": doc_chunks.get(d.doc_id, []),
                }
                for d in documents
            },
        },
    )
    # Only now is the old state unreferenced: clean it up.
    store.delete(store.ids() - {c.chunk_id for c in all_chunks})
    remove_stale_snapshots(index_dir, keep=snapshot)
    if not manifest:
        for name in _collection_names(client):
            if name.startswith(f"{settings.collection}-") and name != collection:
                VectorStore(client, name).drop()
    report.seconds = time.perf_counter() - started
    logger.info("ingest: %s", report.summary())
    return report


def _collection_names(client) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def _check_unique_ids(documents: list[PolicyDocument], files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for doc, path in zip(documents, files):
        if doc.doc_id in seen:
            raise DocumentError(f"文件名重复：{seen[doc.doc_id]} 与 {path}（文件名即文档编号，请改名其一）。")
        seen[doc.doc_id] = path


def _embed_into(store: VectorStore, chunks: list[Chunk], embedder: Embedder, *, progress: bool) -> None:
    from tqdm import tqdm

    bar = tqdm(total=len(chunks), desc="嵌入片段", unit="段", disable=not progress or not chunks)
    for i in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[i : i + EMBED_BATCH]
        store.upsert(batch, embedder.embed_passages([c.text for c in batch]))
        bar.update(len(batch))
    bar.close()


@dataclass
class PolicyIndex:
    """Everything a question is answered from: documents, chunks, both indexes, the embedder."""

    documents: list[PolicyDocument]
    chunks: list[Chunk]
    keyword: KeywordIndex
    vectors: VectorStore
    embedder: Embedder
    manifest: dict

    def __post_init__(self) -> None:
        self.chunk_by_id = {c.chunk_id: c for c in self.chunks}
        self.document_by_id = {d.doc_id: d for d in self.documents}


def load_index(settings: Settings, *, embedder: Embedder | None = None) -> PolicyIndex:
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        raise IndexMissingError(f"索引不存在（{settings.index_dir}）：请先运行 assistant ingest")
    identity = model_identity(settings.embedding_model)
    if manifest["embedding_model"] != identity:
        raise _mismatch(manifest["embedding_model"], identity)
    documents, chunks, keyword = read_snapshot(settings.index_dir / manifest["snapshot"])
    vectors = VectorStore(chroma_client(settings), manifest["collection"])
    return PolicyIndex(documents, chunks, keyword, vectors, embedder or Embedder(settings.embedding_model), manifest)


def ensure_index(settings: Settings, *, progress: bool = False) -> PolicyIndex:
    """Load the index, building it from the corpus first if there is none."""
    if read_manifest(settings.index_dir) is None:
        logger.info("no index at %s: building it from %s", settings.index_dir, settings.corpus_dir)
        embedder = Embedder(settings.embedding_model)
        ingest(settings=settings, embedder=embedder, progress=progress)
        return load_index(settings, embedder=embedder)
    return load_index(settings)
