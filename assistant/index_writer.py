"""A build written out and switched in: its search tokens and vocabulary, a new snapshot folder, then the
manifest that names it; whatever the manifest no longer names is removed.

Every change goes to a new snapshot folder and is switched in by replacing the manifest, so a reader
(or an ingest that is killed) sees the old index or the new one, never half of one.
"""

from __future__ import annotations

import logging
import shutil
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.errors import ChromaError

from assistant.errors import StoreError
from assistant.index_check import MANIFEST_FORMAT, manifest_chunk_ids, seed_fingerprint
from assistant.keyword import KeywordIndex
from assistant.settings import Settings
from assistant.snapshot import (
    SNAPSHOT_PREFIX,
    VOCABULARY_FILE,
    Snapshot,
    remove_stale_files,
    write_manifest,
    write_snapshot,
)
from assistant.store import VectorStore, collection_names
from assistant.text import search_tokens, use_vocabulary
from assistant.types import Chunk, PolicyDocument
from assistant.vocabulary import Vocabulary, build_vocabulary

logger = logging.getLogger(__name__)


@dataclass
class Build:
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


def tokenise(build: Build, previous: Vocabulary | None, fresh: int) -> bool:
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


def saved_vocabulary(index_dir: Path, manifest: dict[str, Any]) -> Vocabulary | None:
    try:
        return Vocabulary.load(index_dir / manifest["snapshot"] / VOCABULARY_FILE)
    except (OSError, ValueError):
        return None


def by_document(snapshot: Snapshot) -> Iterator[tuple[PolicyDocument, list[Chunk], list]]:
    """Each document of a snapshot with its chunks and their tokens."""
    chunks: dict[str, list[Chunk]] = {}
    tokens: dict[str, list] = {}
    for chunk, chunk_tokens in zip(snapshot.chunks, snapshot.tokens):
        chunks.setdefault(chunk.meta.doc_id, []).append(chunk)
        tokens.setdefault(chunk.meta.doc_id, []).append(chunk_tokens)
    for document in snapshot.documents:
        yield document, chunks.get(document.doc_id, []), tokens.get(document.doc_id, [])


@contextmanager
def store_errors(what: str, source: str = "") -> Iterator[None]:
    """A Chroma failure becomes a StoreError naming what was written and for which file."""
    try:
        yield
    except ChromaError as error:
        where = f"（{source}）" if source else ""
        raise StoreError(f"{what}失败{where}：{error}。索引保持不变，请检查 Chroma 后重试。") from error


def commit(
    settings: Settings, client: Any, collection: str, build: Build, previous: dict[str, Any] | None
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
        "vocabulary_seed": seed_fingerprint(),
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
    clean_up(settings, client, manifest, VectorStore(client, collection))
    return manifest


def _model_identity(settings: Settings) -> str:
    from assistant.embeddings import model_identity

    return model_identity(settings.embedding_model)


def clean_up(
    settings: Settings, client: Any, manifest: dict[str, Any], store: VectorStore, present: set[str] | None = None
) -> None:
    """Remove what the manifest does not name: vectors, snapshot folders, collections of this index's prefix."""
    extra = (store.ids() if present is None else present) - manifest_chunk_ids(manifest)
    if extra:
        logger.info("deleting %d vectors no chunk uses", len(extra))
        with store_errors("删除多余的向量"):
            store.delete(extra)
    for name in remove_stale_files(settings.index_dir, keep=manifest["snapshot"]):
        logger.info("removed leftover %s", name)
    for name in collection_names(client):
        if name.startswith(f"{settings.collection}-") and name != manifest["collection"]:
            logger.info("dropping leftover collection %s", name)
            VectorStore(client, name).drop()
