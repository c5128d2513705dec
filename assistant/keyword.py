"""The keyword index: BM25 over the chunks' search tokens, built, scored, saved and loaded with numpy alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.errors import StoreError

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

    def words(self) -> Iterator[tuple[str, int]]:
        """Every token of the index with the number of chunks holding it."""
        counts = np.diff(self._indptr)
        for word, column in self._vocab.items():
            if column < len(counts):
                yield word, int(counts[column])

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
