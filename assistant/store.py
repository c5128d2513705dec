"""Chroma (embedded or server) and the keyword index, behind one small interface; the index folder's files.

On disk, under the index folder:
  manifest.json       what the index holds: model, Chroma collection, snapshot, chunk count, and per
                      document its source, content hash, title and chunk ids
  snapshot-<id>/      one build: documents.json (parsed documents), chunks.json (each chunk's id, text and
                      metadata), tokens.json (each chunk's search tokens, for the next ingest),
                      vocabulary.json (the jieba words) and keyword/ (the bm25s index)
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from assistant.errors import ConfigurationError, StoreError
from assistant.settings import Settings
from assistant.types import Chunk, ChunkMeta, PolicyDocument

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SNAPSHOT_PREFIX = "snapshot-"
TOKENS = "tokens.json"
"""Each chunk's search tokens, in chunks.json's order: read by ingest only, never to answer."""
# Vectors per Chroma upsert. Measured on 400 chunks (384-d) into a collection of 3,000: 16 → 0.92 s,
# 128 → 0.47 s, 512 → 0.24 s; larger batches also keep pace as the collection grows.
UPSERT_BATCH = 512
BM25_METHOD = "lucene"
"""bm25s's default variant: no score for absent words, so a question's score is a sum over its words' postings."""
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


class KeywordIndex:
    """BM25 over the chunks' search tokens. bm25s builds and saves it at ingest; answering reads its
    arrays and scores them with numpy alone, exactly as bm25s does, so a question imports neither
    bm25s nor the scipy it pulls in (0.4–1.8 s of a cold start)."""

    def __init__(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int], num_docs: int
    ) -> None:
        self._data, self._indices, self._indptr, self._vocab = data, indices, indptr, vocab
        self._num_docs = num_docs
        self._model = None  # the bm25s model, kept after a build until it is saved

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> KeywordIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.INFO)  # bm25s sets its own logger to DEBUG on import
        model = bm25s.BM25(method=BM25_METHOD)
        model.index([tokens or ["\u0000"] for tokens in token_lists], show_progress=False)
        scores = model.scores
        index = cls(scores["data"], scores["indices"], scores["indptr"], model.vocab_dict, int(scores["num_docs"]))
        index._model = model
        return index

    def __len__(self) -> int:
        return self._num_docs

    def scores(self, tokens: list[str]) -> np.ndarray:
        """One BM25 score per chunk (float32): bm25s's ``get_scores``, summed in the same order."""
        scores = np.zeros(self._num_docs, dtype=np.float32)
        for token in tokens:
            column = self._vocab.get(token)
            if column is not None and column < len(self._indptr) - 1:  # bm25s lists "" without a column
                start, end = self._indptr[column], self._indptr[column + 1]
                np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

    def rows_with(self, token: str) -> np.ndarray:
        """The rows (chunk positions) whose tokens include ``token``: the index's own posting list."""
        column = self._vocab.get(token)
        if column is None or column >= len(self._indptr) - 1:
            return np.empty(0, dtype=np.int64)
        return np.asarray(self._indices[self._indptr[column] : self._indptr[column + 1]])

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Raises StoreError when the files are missing, damaged, or of a BM25 variant scored otherwise."""
        try:
            params = json.loads((folder / "params.index.json").read_text("utf-8"))
            if params.get("method") != BM25_METHOD:
                raise ValueError(f"BM25 method {params.get('method')!r}, expected {BM25_METHOD!r}")
            index = cls(
                np.load(folder / "data.csc.index.npy"),
                np.load(folder / "indices.csc.index.npy"),
                np.load(folder / "indptr.csc.index.npy"),
                json.loads((folder / "vocab.index.json").read_text("utf-8")),
                int(params["num_docs"]),
            )
        except _KEYWORD_LOAD_ERRORS as error:
            raise StoreError(f"关键词索引无法读取（{folder.name}）：{error}") from error
        if len(index._data) != len(index._indices) or not len(index._indptr) or index._indptr[-1] != len(index._data):
            raise StoreError(f"关键词索引无法读取（{folder.name}）：数组长度与词表不一致")
        return index


@dataclass
class Snapshot:
    """One build's documents and chunks, with each chunk's search tokens (so it is tokenised once)."""

    documents: list[PolicyDocument]
    chunks: list[Chunk]
    tokens: list[list[str]]
    read_as: dict[int, tuple[Any, dict]] = field(default_factory=dict, repr=False)
    """The JSON each document and chunk metadata was read from, by the object's id: written out again
    as it is when an ingest keeps that same object (serialising 1,000 documents anew costs seconds)."""

    def record(self, item: PolicyDocument | ChunkMeta) -> dict:
        read = self.read_as.get(id(item))
        if read is not None and read[0] is item:
            return read[1]
        return item.to_dict() if isinstance(item, PolicyDocument) else item.to_metadata()


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
    _write_json(folder / "documents.json", [snapshot.record(d) for d in snapshot.documents])
    _write_json(
        folder / "chunks.json",
        [{"id": c.chunk_id, "text": c.text, "meta": snapshot.record(c.meta)} for c in snapshot.chunks],
    )
    _write_json(folder / TOKENS, snapshot.tokens)
    keyword.save(folder / "keyword")
    for path in (folder / "keyword").iterdir():
        with open(path, "rb") as file:
            os.fsync(file.fileno())


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)  # one C call; json.dump encodes piece by piece in Python
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def read_snapshot(folder: Path, *, tokens: bool = True) -> Snapshot:
    """The snapshot; its chunks' search tokens only with ``tokens`` (ingest needs them, answering does not).

    Raises OSError, ValueError, KeyError or TypeError when files are missing or damaged.
    """
    document_records = json.loads((folder / "documents.json").read_text("utf-8"))
    documents = [PolicyDocument.from_dict(d) for d in document_records]
    records = json.loads((folder / "chunks.json").read_text("utf-8"))
    chunks = [Chunk(r["id"], r["text"], ChunkMeta.from_metadata(r["meta"])) for r in records]
    if not tokens:
        return Snapshot(documents, chunks, [])
    read_as = {id(d): (d, r) for d, r in zip(documents, document_records)}
    read_as.update((id(c.meta), (c.meta, r["meta"])) for c, r in zip(chunks, records))
    if records and "tokens" in records[0]:  # written before the tokens had a file of their own
        return Snapshot(documents, chunks, [r["tokens"] for r in records], read_as)
    token_lists = json.loads((folder / TOKENS).read_text("utf-8"))
    if not isinstance(token_lists, list) or len(token_lists) != len(chunks):
        raise ValueError(f"{TOKENS} does not match chunks.json")
    return Snapshot(documents, chunks, token_lists, read_as)


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
