"""Chroma (embedded or server): the client, and one collection of chunk vectors behind a small interface.

The keyword index lives in ``assistant.keyword``, the index folder's files in ``assistant.snapshot``.
"""

from __future__ import annotations

import logging
import time

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError, NotFoundError

from assistant.errors import ConfigurationError
from assistant.settings import Settings
from assistant.types import Chunk

logger = logging.getLogger(__name__)

# Vectors per Chroma upsert. Measured on 400 chunks (384-d) into a collection of 3,000: 16 → 0.92 s,
# 128 → 0.47 s, 512 → 0.24 s; larger batches also keep pace as the collection grows.
UPSERT_BATCH = 512


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


SEARCH = {"ef_search": 400, "num_threads": 1}
"""HNSW search settings. Chroma's default ef_search (100) is barely above the candidates the retriever asks
for (up to 90), and a graph built with several threads differs from load to load: the same question then
found a different nearest clause on every start. A wider search on a graph built in one thread gives the
same, near-exact neighbours every time (1,000 vectors: a few milliseconds either way)."""


LOCK_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
"""Seconds to wait before each retry when another process holds Chroma's database for writing: opening the
index writes its search settings, so several processes starting at once (two `ask`, a server's workers)
take turns instead of one failing with "database is locked"."""


def _when_unlocked(call):
    for wait in (*LOCK_WAITS, None):
        try:
            return call()
        except InternalError as error:
            if "locked" not in str(error) or wait is None:
                raise
            logger.debug("Chroma database locked; retrying in %.2f s", wait)
            time.sleep(wait)


class VectorStore:
    """One Chroma collection of chunk vectors; embeddings are computed by us, never by Chroma.

    Chroma keeps the vectors and each chunk's metadata (for filtering); the chunk text lives in the
    snapshot only.
    """

    def __init__(self, client: chromadb.api.ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        self._collection = _when_unlocked(
            lambda: client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine", **SEARCH}}
            )
        )
        current = (getattr(self._collection, "configuration_json", None) or {}).get("hnsw") or {}
        # An index built before these settings; and num_threads, which Chroma does not keep, on every open.
        if any(current.get(key) != value for key, value in SEARCH.items()):
            _when_unlocked(lambda: self._collection.modify(configuration={"hnsw": SEARCH}))
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
        if n <= 0:
            return []
        where = {"doc_id": {"$in": doc_ids}} if doc_ids else None
        result = self._collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except NotFoundError:
            logger.debug("collection %s already deleted", self.name)
