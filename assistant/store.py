"""Chroma (embedded or server) and the keyword index, behind one small interface; the index folder's files.

On disk, under the index folder:
  manifest.json       what the index holds: model, Chroma collection, snapshot, chunk count, and per
                      document its source, content hash, title and chunk ids
  snapshot-<id>/      one build: documents.json (parsed documents), chunks.json (each chunk's id, text,
                      metadata and search tokens, written once) and keyword/ (the bm25s index)
  chroma/             the embedded Chroma database (absent when a Chroma server is used)
  .ingest.lock        held by the one ingest or remove that may write
The manifest is replaced atomically and names everything a reader uses, so an interrupted
ingest leaves the previous index readable.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from assistant.errors import ConfigurationError, StoreError
from assistant.settings import Settings
from assistant.types import Chunk, ChunkMeta, PolicyDocument

logger = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.INFO)  # bm25s sets its own logger to DEBUG on import

MANIFEST = "manifest.json"
SNAPSHOT_PREFIX = "snapshot-"
# Vectors per Chroma upsert. Measured on 400 chunks (384-d) into a collection of 3,000: 16 → 0.92 s,
# 128 → 0.47 s, 512 → 0.24 s; larger batches also keep pace as the collection grows.
UPSERT_BATCH = 512
# What a damaged bm25s file raises on load: JSON and numpy decoding errors are ValueErrors.
_KEYWORD_LOAD_ERRORS = (OSError, ValueError, KeyError, EOFError)


def chroma_client(settings: Settings) -> chromadb.api.ClientAPI:
    """The embedded Chroma under the index folder, or the server named by the settings."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_server:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as error:  # connection errors come in several types
            raise ConfigurationError(
                f"无法连接 Chroma 服务 {settings.chroma_host}:{settings.chroma_port}：{error}。"
                "请确认服务已启动（chroma run），或清空 ASSISTANT_CHROMA_HOST 使用内置数据库。"
            ) from error
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


def collection_names(client: chromadb.api.ClientAPI) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


class VectorStore:
    """One Chroma collection of chunk vectors; embeddings are computed by us, never by Chroma.

    Chroma keeps the vectors and each chunk's metadata (for filtering); the chunk text lives in the
    snapshot only.
    """

    def __init__(self, client: chromadb.api.ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        self._collection = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self._batch = min(UPSERT_BATCH, client.get_max_batch_size())

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        for i in range(0, len(chunks), self._batch):
            batch = chunks[i : i + self._batch]
            self._collection.upsert(
                ids=[c.chunk_id for c in batch],
                embeddings=vectors[i : i + self._batch],
                metadatas=[c.meta.to_metadata() for c in batch],
            )

    def update_metadata(self, chunks: list[Chunk]) -> None:
        """New metadata for vectors kept as they are (a document's title or offsets changed)."""
        for i in range(0, len(chunks), self._batch):
            batch = chunks[i : i + self._batch]
            self._collection.update(ids=[c.chunk_id for c in batch], metadatas=[c.meta.to_metadata() for c in batch])

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def delete(self, ids: set[str]) -> None:
        ordered = sorted(ids)
        for i in range(0, len(ordered), self._batch):
            self._collection.delete(ids=ordered[i : i + self._batch])

    def count(self) -> int:
        return self._collection.count()

    def query(self, vector: list[float], n: int, *, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; only chunks of ``doc_ids`` when given."""
        n = min(n, self.count())
        if n == 0:
            return []
        where = {"doc_id": {"$in": doc_ids}} if doc_ids else None
        result = self._collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except NotFoundError:
            logger.debug("collection %s already deleted", self.name)


class KeywordIndex:
    """BM25 (bm25s) over the chunks' search tokens."""

    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> KeywordIndex:
        model = bm25s.BM25()
        model.index([tokens or ["\u0000"] for tokens in token_lists], show_progress=False)
        return cls(model)

    def __len__(self) -> int:
        return int(self._model.scores["num_docs"])

    def scores(self, tokens: list[str]) -> np.ndarray:
        return self._model.get_scores(tokens)

    def rows_with(self, token: str) -> np.ndarray:
        """The rows (chunk positions) whose tokens include ``token``: the index's own posting list."""
        column = self._model.vocab_dict.get(token)
        if column is None:
            return np.empty(0, dtype=np.int64)
        indptr = self._model.scores["indptr"]
        return np.asarray(self._model.scores["indices"][indptr[column] : indptr[column + 1]])

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Raises StoreError when the files are missing or damaged."""
        try:
            return cls(bm25s.BM25.load(str(folder)))
        except _KEYWORD_LOAD_ERRORS as error:
            raise StoreError(f"关键词索引无法读取（{folder.name}）：{error}") from error


@dataclass
class Snapshot:
    """One build's documents and chunks, with each chunk's search tokens (so it is tokenised once)."""

    documents: list[PolicyDocument]
    chunks: list[Chunk]
    tokens: list[list[str]]


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """None when there is no index; ValueError when the file is not JSON (empty, truncated)."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("manifest.json is not a JSON object")
    return manifest


def write_manifest(index_dir: Path, manifest: dict[str, Any]) -> None:
    """Atomic: readers see the old manifest or the new one, never half of one."""
    handle, temp = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(manifest, file, ensure_ascii=False, indent=1)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, index_dir / MANIFEST)


def write_snapshot(folder: Path, snapshot: Snapshot, keyword: KeywordIndex) -> None:
    """Every file is on disk (fsynced) before the manifest can name the folder."""
    folder.mkdir(parents=True)
    _write_json(folder / "documents.json", [d.to_dict() for d in snapshot.documents])
    _write_json(
        folder / "chunks.json",
        [
            {"id": c.chunk_id, "text": c.text, "meta": c.meta.to_metadata(), "tokens": tokens}
            for c, tokens in zip(snapshot.chunks, snapshot.tokens)
        ],
    )
    keyword.save(folder / "keyword")
    for path in (folder / "keyword").iterdir():
        with open(path, "rb") as file:
            os.fsync(file.fileno())


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False)
        file.flush()
        os.fsync(file.fileno())


def read_snapshot(folder: Path) -> Snapshot:
    """Raises OSError, ValueError, KeyError or TypeError when files are missing or damaged."""
    documents = [PolicyDocument.from_dict(d) for d in json.loads((folder / "documents.json").read_text("utf-8"))]
    records = json.loads((folder / "chunks.json").read_text("utf-8"))
    chunks = [Chunk(r["id"], r["text"], ChunkMeta.from_metadata(r["meta"])) for r in records]
    return Snapshot(documents, chunks, [r["tokens"] for r in records])


def remove_stale_files(index_dir: Path, keep: str | None) -> list[str]:
    """Snapshot folders other than ``keep`` and temporary manifests: what interrupted writes leave behind."""
    removed = []
    for path in sorted(index_dir.glob(f"{SNAPSHOT_PREFIX}*")) + sorted(index_dir.glob(".manifest-*")):
        if path.name == keep:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path.name)
    return removed
