"""The built index as answering reads it: documents, chunks, keyword and vector indexes, checked on load.

Reading never imports the ingest pipeline (parsing, chunking, loaders), and the embedding model is
loaded only when a question first needs a vector, so a clause look-up never pays for it. The checks
live in ``assistant.index_check``; a server's replicas follow new builds through ``assistant.replicas``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import numpy as np

from assistant.errors import AssistantError, IndexCorruptError, IndexMissingError, StoreError
from assistant.glossary import EnglishGlossary
from assistant.index_check import (
    check_model,
    corrupt,
    manifest_chunk_ids,
    read_checked_manifest,
    read_checked_snapshot,
    seed_fingerprint,
)
from assistant.keyword import KeywordIndex
from assistant.settings import Settings
from assistant.snapshot import VOCABULARY_FILE
from assistant.store import VectorStore, chroma_client, collection_names
from assistant.text import normalize, use_vocabulary
from assistant.types import Chunk, PolicyDocument
from assistant.vocabulary import Vocabulary

logger = logging.getLogger(__name__)


WIDE_SCOPE = 0.5
"""Share of the chunks from which a scoped vector search filters afterwards instead of in Chroma."""
WIDE_SCOPE_OVERFETCH = 2
"""How many times the wanted number of vectors an unfiltered search of a wide scope asks for."""


class PolicyIndex:
    """Everything a question is answered from: documents, chunks, both indexes, and (lazily) the embedder."""

    def __init__(
        self,
        documents: list[PolicyDocument],
        chunks: list[Chunk],
        keyword: KeywordIndex,
        vectors: VectorStore,
        manifest: dict[str, Any],
        *,
        embedder: Any = None,
    ) -> None:
        self.documents = documents
        self.chunks = chunks
        self.keyword = keyword
        self.vectors = vectors
        self.manifest = manifest
        self.chunk_by_id = {c.chunk_id: c for c in chunks}
        self.document_by_id = {d.doc_id: d for d in documents}
        self.position_by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        """A chunk's position in ``chunks``, which is also its row in the keyword scores."""
        self._doc_row = {doc_id: row for row, doc_id in enumerate(self.document_by_id)}
        self._chunk_doc_rows = np.array([self._doc_row.get(c.meta.doc_id, -1) for c in chunks], dtype=np.int64)
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self._glossary: EnglishGlossary | None = None
        self._glossary_lock = threading.Lock()

    @property
    def embedder(self):
        """The embedding model, loaded on first use (once, whichever thread asks first)."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    passive_threads()
                    from assistant.embeddings import Embedder

                    self._embedder = Embedder(self.manifest["model_name"])
        return self._embedder

    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def english_words(self, text: str) -> list[str]:
        """The library words the English words of ``text`` stand for; the glossary is built on first use."""
        with self._glossary_lock:
            if self._glossary is None:
                self._glossary = EnglishGlossary.of_texts(normalize(d.text) for d in self.documents)
        return self._glossary.targets(text)

    def nearest(
        self, vector: list[float], n: int, doc_ids: list[str] | tuple[str, ...] = ()
    ) -> list[tuple[str, float]]:
        """The ``n`` chunks nearest to ``vector`` (chunk id, cosine similarity), only of ``doc_ids`` when given.

        Chroma's filter on many documents costs far more than the search itself (1,000 documents, 13k
        vectors: 120 ms against 3 ms), so a scope holding most chunks is searched unfiltered for
        ``WIDE_SCOPE_OVERFETCH`` times as many, keeping the scope's; the filter serves narrow scopes, and
        wide ones whose nearest chunks lie mostly outside. Vectors the index holds no chunk for are skipped.
        """
        if doc_ids:
            in_scope = self.chunk_mask(doc_ids)
            if in_scope.all():
                doc_ids = ()  # the scope is the whole index: no filter
            elif in_scope.mean() >= WIDE_SCOPE:
                asked = WIDE_SCOPE_OVERFETCH * n
                hits = self.vectors.query(vector, asked)
                rows = ((self.position_by_id.get(i), s) for i, s in hits)
                kept = [(self.chunks[row].chunk_id, s) for row, s in rows if row is not None and in_scope[row]]
                if len(kept) >= n or len(hits) < asked:  # enough, or every vector was seen
                    return kept[:n]
        hits = self.vectors.query(vector, n, doc_ids=list(doc_ids) or None)
        return [(i, s) for i, s in hits if i in self.chunk_by_id]

    def chunk_mask(self, doc_ids: list[str] | tuple[str, ...]) -> np.ndarray:
        """True for the chunks of ``doc_ids``, in the order of ``chunks``."""
        wanted = np.zeros(len(self._doc_row) + 1, dtype=bool)  # the extra last row: chunks of no document
        wanted[[self._doc_row[d] for d in doc_ids if d in self._doc_row]] = True
        return wanted[self._chunk_doc_rows]


SPIN_COUNT = 1000
"""How many times an idle OpenMP thread of the model checks for work before it sleeps (see ``passive_threads``)."""


def passive_threads() -> None:
    """Let the model's OpenMP threads spin only briefly, then sleep, while they wait (unless the user chose a
    policy: ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` set leaves both alone).

    Long spinning is harmless on an idle machine and ruinous on a busy one: on 2 cores shared with other
    work, one query embedding took 5.9 s with libgomp's default (300,000 spins) and 56 ms passive. Not
    spinning at all costs on every barrier instead. Measured on 2 cores, dev.jsonl's questions one at a time
    (ms per question): spin 0: 23.2 idle, 59.0 beside two busy processes; spin 1,000: 13.8 idle, 36.4
    beside them; 50 concurrent web users: the same throughput. Takes effect only before the engine is
    first loaded.
    """
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        return
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ["GOMP_SPINCOUNT"] = str(SPIN_COUNT)


def load_index(settings: Settings, *, embedder: Any = None) -> PolicyIndex:
    """The index under ``settings.index_dir``, checked for completeness.

    Args:
        settings: where the index is and which model and Chroma it uses.
        embedder: an already loaded embedder to use; by default one is loaded on first use.

    Raises:
        IndexMissingError: no index has been built.
        IndexModelMismatchError: the index was built with another embedding model.
        IndexCorruptError: a file is missing or damaged, or Chroma holds fewer vectors than the manifest lists.
    """
    manifest = read_checked_manifest(settings.index_dir)
    if manifest is None:
        raise IndexMissingError(f"索引不存在（{settings.index_dir}）：请先运行 assistant ingest")
    check_model(manifest, settings)
    try:
        return _load(settings, manifest, embedder)
    except IndexCorruptError:
        # An ingest that finished between our reads removes the snapshot we were about to read.
        latest = read_checked_manifest(settings.index_dir)
        if latest is None or latest == manifest:
            raise
        return _load(settings, latest, embedder)


def _load(settings: Settings, manifest: dict[str, Any], embedder: Any) -> PolicyIndex:
    snapshot = read_checked_snapshot(settings.index_dir, manifest, tokens=False)
    try:
        keyword = KeywordIndex.load(settings.index_dir / manifest["snapshot"] / "keyword")
    except StoreError as error:
        raise corrupt(str(error)) from error
    if len(keyword) != len(snapshot.chunks):
        raise corrupt(f"关键词索引有 {len(keyword)} 个片段，快照有 {len(snapshot.chunks)} 个")
    vectors = _checked_vectors(settings, manifest)
    try:  # questions are cut with the vocabulary the chunks were cut with
        vocabulary = Vocabulary.load(settings.index_dir / manifest["snapshot"] / VOCABULARY_FILE)
    except FileNotFoundError:
        raise corrupt("快照中没有词表 vocabulary.json（旧版本建立的索引）") from None
    except (OSError, ValueError) as error:
        raise corrupt(f"词表 vocabulary.json 损坏：{error}") from error
    use_vocabulary(vocabulary)
    index = PolicyIndex(snapshot.documents, snapshot.chunks, keyword, vectors, manifest, embedder=embedder)
    index.vocabulary = vocabulary  # answering re-installs it, should another index have been loaded since
    return index


def _checked_vectors(settings: Settings, manifest: dict[str, Any]) -> VectorStore:
    """The collection, holding a vector for every chunk the manifest lists.

    Extra vectors (an ingest was interrupted after embedding) are tolerated: retrieval ignores them
    and the next ingest deletes them.
    """
    client = chroma_client(settings)
    name = manifest["collection"]
    if name not in collection_names(client):
        raise corrupt(f"向量库中没有集合 {name}（chroma.sqlite3 被删除或换了 Chroma 服务？）")
    vectors = VectorStore(client, name)
    count, expected = vectors.count(), manifest["chunk_count"]
    if count != expected:
        missing = len(manifest_chunk_ids(manifest) - vectors.ids())
        if missing:
            raise corrupt(
                f"向量库有 {count} 个向量，缺少 {missing} 个片段的向量（manifest.json 记录 {expected} 个片段）"
            )
        logger.warning(
            "collection %s holds %d vectors no chunk uses; the next ingest removes them", name, count - expected
        )
    return vectors


def ensure_index(settings: Settings, *, progress: bool = False) -> PolicyIndex:
    """Load the index, building it from ``settings.corpus_dir`` first if there is none (with a progress bar).

    An index whose words were cut with another seed dictionary or synonym list (a newer version of this
    package) is brought up to date first: the chunks are cut again, nothing is embedded (about a second).
    """
    manifest = read_checked_manifest(settings.index_dir)
    if manifest is None or manifest.get("vocabulary_seed") != seed_fingerprint():
        from assistant.indexing import ingest  # the write side, needed only when there is something to write

        if manifest is None:
            logger.info("no index at %s: building it from %s", settings.index_dir, settings.corpus_dir)
            ingest(settings=settings, progress=progress)
        else:
            try:
                ingest(settings=settings)
            except AssistantError as error:  # a read-only index still answers, with the words it was cut with
                logger.warning(
                    "the index's vocabulary is older than this version's and could not be updated: %s", error
                )
    return load_index(settings)
