"""What an ingest changes: which documents it keeps, parses, replaces or deletes, and which chunks it embeds.

Leftovers of an interrupted run (snapshot folders, Chroma collections and vectors the manifest does
not name) are removed by the next ingest.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chromadb.errors import ChromaError

from assistant import index_writer as writer
from assistant.chunking import chunk_document
from assistant.errors import DocumentError, StoreError
from assistant.index import passive_threads
from assistant.index_check import check_model, manifest_chunk_ids, read_checked_manifest, read_checked_snapshot
from assistant.loaders import load_text
from assistant.names import short_names
from assistant.parsing import content_hash, doc_id_for, parse_document
from assistant.settings import Settings
from assistant.snapshot import Snapshot
from assistant.store import VectorStore, chroma_client, collection_names
from assistant.types import Chunk, PolicyDocument

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest or remove changed, by document id."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.deleted)

    def summary(self) -> str:
        return (
            f"新增 {len(self.added)}，更新 {len(self.replaced)}，删除 {len(self.deleted)}，未变 {len(self.skipped)}；"
            f"嵌入 {self.chunks_embedded} 个片段，用时 {self.seconds:.1f} 秒"
        )


@dataclass
class Source:
    """A file read and hashed, not yet parsed."""

    path: Path
    doc_id: str
    text: str
    content_hash: str


def read_source(path: Path, settings: Settings) -> Source:
    text = load_text(path, max_bytes=settings.max_file_bytes)
    return Source(path, doc_id_for(path), text, content_hash(text))


def check_unique_ids(sources: list[Source]) -> None:
    seen: dict[str, Path] = {}
    for source in sources:
        if source.doc_id in seen:
            raise DocumentError(
                f"文件名重复：{seen[source.doc_id]} 与 {source.path}（文件名即文档编号，请改名其一），索引保持不变。"
            )
        seen[source.doc_id] = source.path


def apply_ingest(
    sources: list[Source],
    settings: Settings,
    rebuild: bool,
    sync: bool,
    embedder: Any,
    progress: bool,
    on_delete: Callable[[list[str]], None] | None,
) -> IngestReport:
    """What changes against the manifest, embedded and written; the caller holds the writer lock."""
    index_dir = settings.index_dir
    manifest = None if rebuild else read_checked_manifest(index_dir)
    if manifest:
        check_model(manifest, settings)
    old_docs: dict[str, dict[str, Any]] = manifest["documents"] if manifest else {}
    report = IngestReport()

    def unchanged(source: Source) -> bool:
        entry = old_docs.get(source.doc_id)
        return bool(
            entry
            and entry["content_hash"] == source.content_hash
            and (entry["source"] == str(source.path) or Path(entry["source"]).resolve() == source.path.resolve())
            and entry["chunk_tokens"] == settings.chunk_tokens
        )

    # Which documents stay, which are parsed; the same content under two names is indexed once, the
    # copy already in the index (or else the first file) winning.
    target_ids = {s.doc_id for s in sources}
    retained = [] if sync else [doc_id for doc_id in old_docs if doc_id not in target_ids]
    holder = {old_docs[d]["content_hash"]: (d, old_docs[d]["source"]) for d in retained}
    keep, parse = set(retained), []
    for source in sorted(sources, key=lambda s: (not unchanged(s), str(s.path))):
        first, where = holder.setdefault(source.content_hash, (source.doc_id, str(source.path)))
        if first != source.doc_id:
            report.warnings.append(f"{source.path} 与 {where} 内容相同，只索引一份（{first}）。")
        elif unchanged(source):
            keep.add(source.doc_id)
            report.skipped.append(source.doc_id)
        else:
            parse.append(source)
            (report.replaced if source.doc_id in old_docs else report.added).append(source.doc_id)
    report.deleted = sorted(set(old_docs) - keep - {s.doc_id for s in parse})
    report.added.sort()
    report.replaced.sort()
    report.skipped.sort()
    if manifest and not report.changed and manifest.get("vocabulary_seed") == writer.seed_fingerprint():
        # Nothing changed: neither the snapshot nor the vectors are read. An ingest writes the vectors
        # before the manifest names them, so only a lost Chroma database can lack them.
        client = chroma_client(settings)
        if manifest["collection"] in collection_names(client):
            store = VectorStore(client, manifest["collection"])
            writer.clean_up(settings, client, manifest, store, present=manifest_chunk_ids(manifest))
            return report

    old = read_checked_snapshot(index_dir, manifest) if manifest else Snapshot([], [], [])

    build = writer.Build(read_as=old.read_as, token_words=old.vocabulary)
    for document, chunks, tokens in writer.by_document(old):
        if document.doc_id in keep:
            if (names := short_names(document.title)) != document.short_names:  # a newer data/aliases.tsv
                document = replace(document, short_names=names)  # a new object: its record is written anew
            build.add(document, chunks, tokens)
    kept_chunks = len(build.chunks)
    for document, chunks in _parse(parse, settings, progress):
        build.add(document, chunks, [[] for _ in chunks])
    _check_unique_chunk_ids(build)
    vocabulary_changed = writer.tokenise(
        build, writer.saved_vocabulary(index_dir, manifest) if manifest else None, kept_chunks
    )

    if report.deleted and on_delete:
        on_delete([f"{old_docs[d]['title']}（{d}）" for d in report.deleted])

    client = chroma_client(settings)
    collection = manifest["collection"] if manifest else f"{settings.collection}-{uuid.uuid4().hex[:8]}"
    store = VectorStore(client, collection)
    present = store.ids()
    old_by_id = {c.chunk_id: c for c in old.chunks}
    reused = [c for c in build.chunks if c.chunk_id in present and _same(old_by_id.get(c.chunk_id), c)]
    reused_ids = {c.chunk_id for c in reused}
    to_embed = [c for c in build.chunks if c.chunk_id not in reused_ids]
    repaired = sum(1 for c in to_embed if _same(old_by_id.get(c.chunk_id), c))
    if repaired and not report.changed:
        report.warnings.append(f"向量库缺少 {repaired} 个片段的向量（chroma.sqlite3 被删除或损坏？），已重新嵌入。")
    elif repaired:
        report.warnings.append(f"向量库缺少 {repaired} 个片段的向量，已一并重新嵌入。")

    if to_embed:
        _embed_into(store, to_embed, present, embedder, settings, progress)
        report.chunks_embedded = len(to_embed)
    stale_meta = [c for c in reused if old_by_id[c.chunk_id].meta != c.meta]
    if stale_meta:
        with writer.store_errors("更新向量库中的片段信息"):
            store.update_metadata(stale_meta)

    same_seed = manifest and manifest.get("vocabulary_seed") == writer.seed_fingerprint()
    if manifest and not report.changed and not vocabulary_changed and same_seed:
        writer.clean_up(settings, client, manifest, store)
        return report  # (a new seed that cuts no word differently is still recorded: opening checks it)
    writer.commit(settings, client, collection, build, manifest)
    return report


def _same(old: Chunk | None, new: Chunk) -> bool:
    """Whether the live index's vector of this chunk id was computed from the same text."""
    return old is not None and old.text == new.text


def _parse(sources: list[Source], settings: Settings, progress: bool) -> list[tuple[PolicyDocument, list[Chunk]]]:
    """Every changed file parsed and chunked before anything is written."""
    from tqdm import tqdm

    parsed = []
    for source in tqdm(sources, desc="解析文件", unit="份", disable=not progress or not sources):
        document = parse_document(source.text, doc_id=source.doc_id, source=str(source.path))
        parsed.append((document, chunk_document(document, budget=settings.chunk_tokens)))
    return parsed


def _check_unique_chunk_ids(build: writer.Build) -> None:
    """Chroma would silently overwrite one chunk's vector with another's."""
    seen: dict[str, str] = {}
    for chunk in build.chunks:
        if chunk.chunk_id in seen:
            raise DocumentError(
                f"片段编号 {chunk.chunk_id} 重复（{seen[chunk.chunk_id]} 与 {chunk.meta.doc_id}），索引保持不变。"
            )
        seen[chunk.chunk_id] = chunk.meta.doc_id


def _embed_into(
    store: VectorStore, chunks: list[Chunk], present: set[str], embedder: Any, settings: Settings, progress: bool
) -> None:
    """Embed and upsert; on a store failure, the vectors this run added are taken out again."""
    from tqdm import tqdm

    from assistant.embeddings import EMBED_BATCH, Embedder

    passive_threads()
    embedder = embedder or Embedder(settings.embedding_model)
    bar = tqdm(total=len(chunks), desc="嵌入片段", unit="段", disable=not progress)
    try:
        for i in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[i : i + EMBED_BATCH]
            vectors = embedder.embed_documents([c.text for c in batch])
            with writer.store_errors("写入向量库", "、".join(sorted({c.meta.doc_id for c in batch}))):
                store.upsert(batch, vectors)
            bar.update(len(batch))
    except StoreError:
        added = {c.chunk_id for c in chunks} - present
        try:
            store.delete(added)
        except ChromaError:
            logger.warning("could not take %d new vectors out again; the next ingest removes them", len(added))
        raise
    finally:
        bar.close()
