"""The index folder's files: the manifest and the snapshots it names, written so a reader never sees half of one.

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
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.keyword import KeywordIndex
from assistant.types import Chunk, ChunkMeta, PolicyDocument

MANIFEST = "manifest.json"
SNAPSHOT_PREFIX = "snapshot-"
VOCABULARY_FILE = "vocabulary.json"
"""The jieba vocabulary of a snapshot, derived from its documents at ingest."""


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
