"""Chroma (embedded or server) and the keyword index, behind one small interface; the index folder's files.

On disk, under the index folder:
  manifest.json       what the index holds: model, Chroma collection, snapshot, chunk count, and per
                      document its source, content hash, title and chunk ids
  snapshot-<id>/      one build: documents.json (parsed documents), chunks.json (each chunk's id, text and
                      metadata), vocabulary.json (the jieba words) and keyword/ (the BM25 arrays in
                      bm25s's layout, with each chunk's token ids for the next ingest)
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
# Vectors per Chroma upsert. Measured on 400 chunks (384-d) into a collection of 3,000: 16 → 0.92 s,
# 128 → 0.47 s, 512 → 0.24 s; larger batches also keep pace as the collection grows.
UPSERT_BATCH = 512
BM25_METHOD = "lucene"
"""bm25s's default variant: no score for absent words, so a question's score is a sum over its words' postings."""
BM25_K1 = 1.5
"""Term-frequency saturation (bm25s's default)."""
BM25_B = 0.75
"""Length normalisation (bm25s's default)."""
EMPTY_TOKEN = "\u0000"
"""The one token of a chunk that has none, so every chunk has a length."""
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
    """BM25 (the Lucene variant, as bm25s scores it) over the chunks' search tokens, built and scored with
    numpy alone: a question imports neither bm25s nor the scipy it pulls in (0.4–1.8 s of a cold start),
    and an ingest builds it from token ids in a few array operations instead of Python loops over every
    token of the library. Saved in bm25s's file layout (``bm25s.BM25.load`` reads it), with the token ids
    of every chunk beside it so the next ingest need not re-tokenise or re-read them as text.
    """

    def __init__(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int], num_docs: int
    ) -> None:
        self._data, self._indices, self._indptr, self._vocab = data, indices, indptr, vocab
        self._num_docs = num_docs
        self._rows: tuple[np.ndarray, np.ndarray] | None = None  # (token ids, offsets) of a build, until saved

    @classmethod
    def build(cls, rows: list[np.ndarray | list[str]], vocabulary: list[str] = ()) -> KeywordIndex:
        """Args:
        rows: each chunk's tokens: a list of strings, or an array of ids into ``vocabulary`` (as read back).
        """
        ids, words = _token_ids(rows, vocabulary)
        lengths = np.array([len(r) for r in ids], dtype=np.int64)
        n = len(ids)
        flat = np.concatenate(ids) if n else np.empty(0, dtype=np.int64)
        in_use = np.bincount(flat, minlength=len(words)) > 0  # words of removed chunks are dropped
        flat = (np.cumsum(in_use) - 1)[flat]
        words = [w for w, used in zip(words, in_use.tolist()) if used]
        documents = np.repeat(np.arange(n, dtype=np.int64), lengths)
        pairs, tf = np.unique(flat.astype(np.int64) * max(n, 1) + documents, return_counts=True)
        column, row = np.divmod(pairs, max(n, 1))
        df = np.bincount(column, minlength=len(words))
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        length_norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / (lengths.mean() if n else 1.0))
        data = (idf[column] * (tf / (length_norm[row] + tf))).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        index = cls(data, row.astype(np.int32), indptr, {w: i for i, w in enumerate(words)}, n)
        index._rows = (flat.astype(np.int32), np.concatenate([[0], np.cumsum(lengths)]))
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
        """bm25s's files, and the chunks' token ids (``tokens.npy``, cut at ``token_offsets.npy``)."""
        folder.mkdir()
        np.save(folder / "data.csc.index.npy", self._data)
        np.save(folder / "indices.csc.index.npy", self._indices)
        np.save(folder / "indptr.csc.index.npy", self._indptr)
        (folder / "vocab.index.json").write_text(json.dumps(self._vocab, ensure_ascii=False), "utf-8")
        params = {"k1": BM25_K1, "b": BM25_B, "delta": 0.5, "method": BM25_METHOD, "idf_method": BM25_METHOD}
        params |= {"dtype": "float32", "int_dtype": "int32", "num_docs": self._num_docs, "backend": "numpy"}
        (folder / "params.index.json").write_text(json.dumps(params), "utf-8")
        np.save(folder / "tokens.npy", self._rows[0])
        np.save(folder / "token_offsets.npy", self._rows[1])

    @staticmethod
    def read_tokens(folder: Path) -> tuple[list[np.ndarray], list[str]] | None:
        """Each chunk's token ids and the words they stand for; None for an index saved without them."""
        if not (folder / "tokens.npy").exists():
            return None
        flat, offsets = np.load(folder / "tokens.npy"), np.load(folder / "token_offsets.npy")
        vocab = json.loads((folder / "vocab.index.json").read_text("utf-8"))
        words = [""] * (max(vocab.values(), default=-1) + 1)
        for word, column in vocab.items():
            words[column] = word
        return [flat[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)], words

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


def _token_ids(rows: list, vocabulary: list[str]) -> tuple[list[np.ndarray], list[str]]:
    """Every row as an array of ids into one word list: ``vocabulary`` extended by the new words."""
    words = list(vocabulary)
    lookup: dict[str, int] | None = None
    ids = []
    for tokens in rows:
        if isinstance(tokens, np.ndarray) and len(tokens):
            ids.append(tokens.astype(np.int64))
            continue
        if lookup is None:
            lookup = {w: i for i, w in enumerate(words)}
        row = []
        for token in tokens if len(tokens) else [EMPTY_TOKEN]:
            if token not in lookup:
                lookup[token] = len(words)
                words.append(token)
            row.append(lookup[token])
        ids.append(np.array(row, dtype=np.int64))
    return ids, words


@dataclass
class Snapshot:
    """One build's documents and chunks, with each chunk's search tokens (so it is tokenised once)."""

    documents: list[PolicyDocument]
    chunks: list[Chunk]
    tokens: list[np.ndarray | list[str]]
    """Each chunk's search tokens: ids into ``vocabulary`` as read back, or the words of a new chunk."""
    vocabulary: list[str] = field(default_factory=list, repr=False)
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
    saved = KeywordIndex.read_tokens(folder / "keyword")
    if saved is not None:
        token_rows, vocabulary = saved
    elif records and "tokens" in records[0]:  # saved before the tokens were kept as ids
        token_rows, vocabulary = [r["tokens"] for r in records], []
    else:
        token_rows, vocabulary = json.loads((folder / "tokens.json").read_text("utf-8")), []
    if len(token_rows) != len(chunks):
        raise ValueError("the keyword index's tokens do not match chunks.json")
    return Snapshot(documents, chunks, token_rows, vocabulary, read_as)


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
