"""Files → index: add, update, delete and remove documents, incrementally by content hash, one writer at a time.

Every change is written to a new snapshot folder and switched in by replacing the manifest, so a
reader (or an ingest that is killed) sees the old index or the new one, never half of one. Leftovers
of an interrupted run (snapshot folders, Chroma collections and vectors the manifest does not name)
are removed by the next ingest. The read side lives in ``assistant.index``.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.errors import ChromaError
from filelock import FileLock, Timeout

from assistant.chunking import chunk_document
from assistant.errors import DocumentError, IndexBusyError, IndexMissingError, StoreError
from assistant.index import (
    MANIFEST_FORMAT,
    VOCABULARY_FILE,
    PolicyIndex,
    check_model,
    ensure_index,
    load_index,
    manifest_chunk_ids,
    passive_threads,
    read_checked_manifest,
    read_checked_snapshot,
)
from assistant.loaders import find_documents, load_text
from assistant.parsing import content_hash, doc_id_for, parse_document
from assistant.settings import Settings
from assistant.store import (
    SNAPSHOT_PREFIX,
    KeywordIndex,
    Snapshot,
    VectorStore,
    chroma_client,
    collection_names,
    remove_stale_files,
    write_manifest,
    write_snapshot,
)
from assistant.text import search_tokens, use_vocabulary
from assistant.types import Chunk, PolicyDocument
from assistant.vocabulary import Vocabulary, build_vocabulary

# The read side moved to assistant.index; re-exported until every caller imports it from there.
__all__ = ["IngestReport", "PolicyIndex", "ensure_index", "ingest", "load_index", "remove"]

logger = logging.getLogger(__name__)

LOCK_FILE = ".ingest.lock"
# How long a second ingest or remove waits for the first before giving up.
LOCK_TIMEOUT_S = 2.0


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
class _Source:
    """A file read and hashed, not yet parsed."""

    path: Path
    doc_id: str
    text: str
    content_hash: str


@dataclass
class _Build:
    """The index being assembled: documents with their chunks and each chunk's search tokens."""

    documents: list[PolicyDocument] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    tokens: list[np.ndarray | list[str]] = field(default_factory=list)
    token_words: list[str] = field(default_factory=list)
    """What the token ids read back from the previous snapshot stand for."""
    vocabulary: Vocabulary | None = None
    read_as: dict = field(default_factory=dict)
    """The previous snapshot's ``read_as``: kept documents are written out as they were read."""

    def add(self, document: PolicyDocument, chunks: list[Chunk], tokens: list) -> None:
        self.documents.append(document)
        self.chunks.extend(chunks)
        self.tokens.extend(tokens)


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
    sources = [_read(path, settings) for path in files]
    _check_unique_ids(sources)
    with _writer_lock(settings.index_dir):
        report = _ingest(sources, settings, rebuild, sync or not paths, embedder, progress, on_delete)
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
        kept = _Build(read_as=snapshot.read_as, token_words=snapshot.vocabulary)
        for document, chunks, tokens in _by_document(snapshot):
            if document.doc_id not in doomed:
                kept.add(document, chunks, tokens)
        _tokenise(kept, _saved_vocabulary(settings.index_dir, manifest), fresh=len(kept.chunks))
        client = chroma_client(settings)
        _commit(settings, client, manifest["collection"], kept, manifest)
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


def _read(path: Path, settings: Settings) -> _Source:
    text = load_text(path, max_bytes=settings.max_file_bytes)
    return _Source(path, doc_id_for(path), text, content_hash(text))


def _check_unique_ids(sources: list[_Source]) -> None:
    seen: dict[str, Path] = {}
    for source in sources:
        if source.doc_id in seen:
            raise DocumentError(
                f"文件名重复：{seen[source.doc_id]} 与 {source.path}（文件名即文档编号，请改名其一），索引保持不变。"
            )
        seen[source.doc_id] = source.path


def _ingest(
    sources: list[_Source],
    settings: Settings,
    rebuild: bool,
    sync: bool,
    embedder: Any,
    progress: bool,
    on_delete: Callable[[list[str]], None] | None,
) -> IngestReport:
    index_dir = settings.index_dir
    manifest = None if rebuild else read_checked_manifest(index_dir)
    if manifest:
        check_model(manifest, settings)
    old_docs: dict[str, dict[str, Any]] = manifest["documents"] if manifest else {}
    report = IngestReport()

    def unchanged(source: _Source) -> bool:
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
    if manifest and not report.changed and manifest.get("vocabulary_seed") == _seed_fingerprint():
        # Nothing changed: neither the snapshot nor the vectors are read. An ingest writes the vectors
        # before the manifest names them, so only a lost Chroma database can lack them.
        client = chroma_client(settings)
        if manifest["collection"] in collection_names(client):
            store = VectorStore(client, manifest["collection"])
            _clean_up(settings, client, manifest, store, present=manifest_chunk_ids(manifest))
            return report

    old = read_checked_snapshot(index_dir, manifest) if manifest else Snapshot([], [], [])

    build = _Build(read_as=old.read_as, token_words=old.vocabulary)
    for document, chunks, tokens in _by_document(old):
        if document.doc_id in keep:
            build.add(document, chunks, tokens)
    kept_chunks = len(build.chunks)
    for document, chunks in _parse(parse, settings, progress):
        build.add(document, chunks, [[] for _ in chunks])
    _check_unique_chunk_ids(build)
    vocabulary_changed = _tokenise(build, _saved_vocabulary(index_dir, manifest) if manifest else None, kept_chunks)

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
        with _store_errors("更新向量库中的片段信息"):
            store.update_metadata(stale_meta)

    if manifest and not report.changed and not vocabulary_changed:
        _clean_up(settings, client, manifest, store)
        return report
    _commit(settings, client, collection, build, manifest)
    return report


def _tokenise(build: _Build, previous: Vocabulary | None, fresh: int) -> bool:
    """Search tokens for the chunks from row ``fresh`` on (new ones), and for kept chunks whose cut the
    library's new vocabulary can change: those holding a word it added, dropped or re-weighted. So one
    document added to a large library re-tokenises its own chunks and the few that share its new words.

    Returns whether the vocabulary changed (the snapshot must then be rewritten).
    """
    build.vocabulary = build_vocabulary(build.documents)
    use_vocabulary(build.vocabulary)
    changed = None if previous is None else {e.word for e in set(previous.words) ^ set(build.vocabulary.words)}
    for row, chunk in enumerate(build.chunks):
        if row >= fresh or changed is None or (changed and _holds_any(chunk.text, changed)):
            build.tokens[row] = search_tokens(chunk.text)
    return build.vocabulary != previous


def _holds_any(text: str, words: set[str]) -> bool:
    text = unicodedata.normalize("NFKC", text)
    return any(word in text for word in words)


def _seed_fingerprint() -> str:
    """What the vocabulary depends on besides the documents: the hand-written seed and synonyms. An
    unchanged library whose seed is unchanged has an unchanged vocabulary."""
    from importlib import resources

    data = resources.files("assistant").joinpath("data")
    digest = hashlib.sha256()
    for name in ("user_dict.txt", "synonyms.tsv"):
        digest.update(data.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _saved_vocabulary(index_dir: Path, manifest: dict[str, Any]) -> Vocabulary | None:
    try:
        return Vocabulary.load(index_dir / manifest["snapshot"] / VOCABULARY_FILE)
    except (OSError, ValueError):
        return None


def _same(old: Chunk | None, new: Chunk) -> bool:
    """Whether the live index's vector of this chunk id was computed from the same text."""
    return old is not None and old.text == new.text


def _by_document(snapshot: Snapshot) -> Iterator[tuple[PolicyDocument, list[Chunk], list]]:
    """Each document of a snapshot with its chunks and their tokens."""
    chunks: dict[str, list[Chunk]] = {}
    tokens: dict[str, list] = {}
    for chunk, chunk_tokens in zip(snapshot.chunks, snapshot.tokens):
        chunks.setdefault(chunk.meta.doc_id, []).append(chunk)
        tokens.setdefault(chunk.meta.doc_id, []).append(chunk_tokens)
    for document in snapshot.documents:
        yield document, chunks.get(document.doc_id, []), tokens.get(document.doc_id, [])


def _parse(sources: list[_Source], settings: Settings, progress: bool) -> list[tuple[PolicyDocument, list[Chunk]]]:
    """Every changed file parsed and chunked before anything is written."""
    from tqdm import tqdm

    parsed = []
    for source in tqdm(sources, desc="解析文件", unit="份", disable=not progress or not sources):
        document = parse_document(source.text, doc_id=source.doc_id, source=str(source.path))
        parsed.append((document, chunk_document(document, budget=settings.chunk_tokens)))
    return parsed


def _check_unique_chunk_ids(build: _Build) -> None:
    """Chroma would silently overwrite one chunk's vector with another's."""
    seen: dict[str, str] = {}
    for chunk in build.chunks:
        if chunk.chunk_id in seen:
            raise DocumentError(
                f"片段编号 {chunk.chunk_id} 重复（{seen[chunk.chunk_id]} 与 {chunk.meta.doc_id}），索引保持不变。"
            )
        seen[chunk.chunk_id] = chunk.meta.doc_id


@contextmanager
def _store_errors(what: str, source: str = "") -> Iterator[None]:
    """A Chroma failure becomes a StoreError naming what was written and for which file."""
    try:
        yield
    except ChromaError as error:
        where = f"（{source}）" if source else ""
        raise StoreError(f"{what}失败{where}：{error}。索引保持不变，请检查 Chroma 后重试。") from error


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
            with _store_errors("写入向量库", "、".join(sorted({c.meta.doc_id for c in batch}))):
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


def _commit(
    settings: Settings, client: Any, collection: str, build: _Build, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Write the snapshot, switch the manifest to it, then remove what no longer is referenced."""
    index_dir = settings.index_dir
    snapshot = f"{SNAPSHOT_PREFIX}{uuid.uuid4().hex[:12]}"
    keyword = KeywordIndex.build(build.tokens, build.token_words)
    try:
        write_snapshot(
            index_dir / snapshot,
            Snapshot(build.documents, build.chunks, build.tokens, build.token_words, build.read_as),
            keyword,
        )
        if build.vocabulary is not None:
            build.vocabulary.save(index_dir / snapshot / VOCABULARY_FILE)
    except OSError as error:
        shutil.rmtree(index_dir / snapshot, ignore_errors=True)
        raise StoreError(f"写入索引快照失败（{index_dir / snapshot}）：{error}。索引保持不变。") from error
    chunk_ids: dict[str, list[str]] = {}
    for chunk in build.chunks:
        chunk_ids.setdefault(chunk.meta.doc_id, []).append(chunk.chunk_id)
    manifest = {
        "format": MANIFEST_FORMAT,
        "embedding_model": previous["embedding_model"] if previous else _model_identity(settings),
        "model_name": previous["model_name"] if previous else settings.embedding_model,
        "collection": collection,
        "chroma": f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_server else "embedded",
        "snapshot": snapshot,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "chunk_count": len(build.chunks),
        "vocabulary_seed": _seed_fingerprint(),
        "documents": {
            d.doc_id: {
                "source": d.source,
                "content_hash": d.content_hash,
                "title": d.title,
                "chunk_tokens": settings.chunk_tokens,
                "chunks": chunk_ids.get(d.doc_id, []),
            }
            for d in sorted(build.documents, key=lambda d: d.doc_id)
        },
    }
    try:
        write_manifest(index_dir, manifest)
    except OSError as error:
        raise StoreError(f"写入 manifest.json 失败（{index_dir}）：{error}。索引保持不变。") from error
    _clean_up(settings, client, manifest, VectorStore(client, collection))
    return manifest


def _model_identity(settings: Settings) -> str:
    from assistant.embeddings import model_identity

    return model_identity(settings.embedding_model)


def _clean_up(
    settings: Settings, client: Any, manifest: dict[str, Any], store: VectorStore, present: set[str] | None = None
) -> None:
    """Remove what the manifest does not name: vectors, snapshot folders, collections of this index's prefix."""
    extra = (store.ids() if present is None else present) - manifest_chunk_ids(manifest)
    if extra:
        logger.info("deleting %d vectors no chunk uses", len(extra))
        with _store_errors("删除多余的向量"):
            store.delete(extra)
    for name in remove_stale_files(settings.index_dir, keep=manifest["snapshot"]):
        logger.info("removed leftover %s", name)
    for name in collection_names(client):
        if name.startswith(f"{settings.collection}-") and name != manifest["collection"]:
            logger.info("dropping leftover collection %s", name)
            VectorStore(client, name).drop()
