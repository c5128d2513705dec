"""The hybrid retriever: BM25 over jieba tokens and dense Chroma search, fused by reciprocal rank."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.indexing import PolicyIndex
from assistant.text import expand_query, search_tokens

DENSE_CANDIDATES = 30


class HybridRetriever(BaseRetriever):
    """Returns one Document per clause, best first, with both rankings and scores in its metadata.

    Metadata keys added to the chunk's: ``score`` (fused), ``bm25``/``bm25_rank``,
    ``dense``/``dense_rank`` (rank 0 means "not retrieved by that method").
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: PolicyIndex
    k: int = 5
    rrf_k: int = 60

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query)[: self.k]

    def search(self, query: str) -> list[Document]:
        """All clauses either method found, fused and ranked."""
        chunks = self.index.chunks
        lexical_scores = self.index.keyword.scores(search_tokens(expand_query(query)))
        lexical = sorted(
            ((chunks[i].chunk_id, float(s)) for i, s in enumerate(lexical_scores) if s > 0), key=lambda p: -p[1]
        )
        vector = self.index.embedder.embed_query(query)
        dense = [(i, s) for i, s in self.index.vectors.query(vector, DENSE_CANDIDATES) if i in self.index.chunk_by_id]

        fused: dict[str, dict] = {}
        for method, ranking in (("bm25", lexical), ("dense", dense)):
            for rank, (chunk_id, score) in enumerate(ranking, start=1):
                entry = fused.setdefault(
                    chunk_id, {"score": 0.0, "bm25": 0.0, "bm25_rank": 0, "dense": 0.0, "dense_rank": 0}
                )
                entry["score"] += 1.0 / (self.rrf_k + rank)
                entry[method], entry[f"{method}_rank"] = score, rank

        best_per_clause: dict[tuple[str, str], Document] = {}
        for chunk_id, scores in sorted(fused.items(), key=lambda p: -p[1]["score"]):
            chunk = self.index.chunk_by_id[chunk_id]
            key = (chunk.metadata["doc_id"], chunk.metadata["clause"])
            if key not in best_per_clause:
                best_per_clause[key] = Document(
                    id=chunk_id, page_content=chunk.text, metadata={**chunk.metadata, **scores, "chunk_id": chunk_id}
                )
        return list(best_per_clause.values())
