"""Chroma (embedded or server) and the keyword index, behind one small interface.

On disk, under the index folder:
  manifest.json       what the index holds: model, Chroma collection, snapshot, documents and chunk ids
  snapshot-<id>/      parsed documents, chunks and the bm25s keyword index of one build
  chroma/             the embedded Chroma database (absent when a Chroma server is used)
The manifest is replaced atomically and names everything a reader uses, so an interrupted
ingest leaves the previous index readable.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.errors import ConfigurationError
from assistant.settings import Settings
from assistant.types import Chunk, PolicyDocument

logger = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.INFO)  # bm25s sets its own logger to DEBUG on import

MANIFEST = "manifest.json"


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


class VectorStore:
    """One Chroma collection of chunk vectors; embeddings are computed by us, never by Chroma."""

    def __init__(self, client: chromadb.api.ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        self._collection = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=vectors,
            documents=[c.text for c in chunks],
            metadatas=[{k: v for k, v in c.metadata.items() if k != "body"} for c in chunks],
        )

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def delete(self, ids: set[str]) -> None:
        if ids:
            self._collection.delete(ids=sorted(ids))

    def count(self) -> int:
        return self._collection.count()

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        n = min(n, self.count())
        if n == 0:
            return []
        result = self._collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # already gone
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

    def scores(self, tokens: list[str]) -> np.ndarray:
        return self._model.get_scores(tokens)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        return cls(bm25s.BM25.load(str(folder)))


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(index_dir: Path, manifest: dict[str, Any]) -> None:
    """Atomic: readers see the old manifest or the new one, never half of one."""
    handle, temp = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(manifest, file, ensure_ascii=False, indent=1)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, index_dir / MANIFEST)


def write_snapshot(folder: Path, documents: list[PolicyDocument], chunks: list[Chunk], keyword: KeywordIndex) -> None:
    folder.mkdir(parents=True)
    (folder / "documents.json").write_text(
        json.dumps([d.to_dict() for d in documents], ensure_ascii=False), encoding="utf-8"
    )
    (folder / "chunks.json").write_text(
        json.dumps([{"id": c.chunk_id, "text": c.text, "metadata": c.metadata} for c in chunks], ensure_ascii=False),
        encoding="utf-8",
    )
    keyword.save(folder / "keyword")


def read_snapshot(folder: Path) -> tuple[list[PolicyDocument], list[Chunk], KeywordIndex]:
    documents = [PolicyDocument.from_dict(d) for d in json.loads((folder / "documents.json").read_text("utf-8"))]
    chunks = [Chunk(c["id"], c["text"], c["metadata"]) for c in json.loads((folder / "chunks.json").read_text("utf-8"))]
    return documents, chunks, KeywordIndex.load(folder / "keyword")


def remove_stale_snapshots(index_dir: Path, keep: str) -> None:
    for folder in index_dir.glob("snapshot-*"):
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
