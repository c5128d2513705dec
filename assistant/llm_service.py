"""The chat service behind LLM answers: its client, the start-up check, and a reply streamed with retries.

Any OpenAI-compatible API through langchain's ``ChatOpenAI`` (the ``llm`` extra). Nothing here raises
because of the service except ``ServiceFailure``, whose reason is safe to log, and no message, log
line or exception carries the API key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage

from assistant import messages
from assistant.errors import ConfigurationError
from assistant.settings import Settings

try:  # the optional `llm` extra
    import openai
    from langchain_openai import ChatOpenAI
except ImportError:  # pragma: no cover - exercised only without the extra
    openai = ChatOpenAI = None

logger = logging.getLogger(__name__)

NO_KEY = "not-needed"
"""Sent when no key is configured (a local Ollama or vLLM wants none); never the OPENAI_API_KEY of the environment."""

# What the service and its client raise for a failed call or a reply that is not the protocol:
# openai's errors (HTTP status, connection, time-out), and ValueError / TypeError for malformed JSON
# or a body without choices. Caught only around the client's own calls.
SERVICE_ERRORS: tuple[type[BaseException], ...] = (
    (openai.APIError, ValueError, TypeError) if openai is not None else (ValueError, TypeError)
)


class ServiceFailure(Exception):
    """The chat service gave no usable reply; ``reason`` is safe to log (never the key or the reply body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def llm_enabled(settings: Settings) -> bool:
    """Whether LLM answers are configured: a base URL and a model name (a key is optional)."""
    return bool(settings.llm_base_url and settings.llm_model)


def make_client(settings: Settings) -> Any:
    """``ChatOpenAI`` for the configured endpoint: no retries of its own (``stream_reply`` retries with back-off).

    Raises:
        ConfigurationError: the ``llm`` extra (langchain-openai) is not installed.
    """
    if ChatOpenAI is None:
        raise ConfigurationError(messages.LLM_NOT_INSTALLED)
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() or NO_KEY,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        stream_usage=True,
    )


def check_llm(settings: Settings, *, client: Any = None) -> str | None:
    """One 1-token completion at start-up: None when the service answers or none is configured, else what to
    fix, in Chinese (a base URL without a model, or the other way round, is something to fix).

    Checks the key, the address and the model at once. A 429 counts as reachable (answers retry).
    Never raises because of the service; the message never contains the key.
    """
    if not llm_enabled(settings):
        if not (settings.llm_base_url or settings.llm_model):
            return None
        names = ("ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_MODEL")
        given, missing = names if settings.llm_base_url else reversed(names)
        return messages.LLM_INCOMPLETE.format(given=given, missing=missing)
    if ChatOpenAI is None and client is None:
        return messages.LLM_NOT_INSTALLED
    url, timeout = settings.llm_base_url, settings.llm_timeout
    try:
        (client or make_client(settings)).invoke([HumanMessage("你好")], max_tokens=1)
    except openai.AuthenticationError as error:
        template = messages.LLM_KEY_REFUSED if settings.llm_api_key.get_secret_value() else messages.LLM_KEY_MISSING
        return template.format(status=error.status_code)
    except openai.PermissionDeniedError as error:
        return messages.LLM_KEY_REFUSED.format(status=error.status_code)
    except openai.NotFoundError:
        return messages.LLM_NO_MODEL.format(model=settings.llm_model)
    except openai.RateLimitError:
        logger.warning("大模型服务在启动检查时限流（HTTP 429）；回答时会重试")
        return None
    except openai.APITimeoutError:
        return messages.LLM_TIMED_OUT.format(url=url, timeout=timeout)
    except openai.APIConnectionError:
        return messages.LLM_UNREACHABLE.format(url=url)
    except openai.APIStatusError as error:
        return messages.LLM_SERVICE_ERROR.format(status=error.status_code)
    except SERVICE_ERRORS:
        return messages.LLM_NOT_OPENAI.format(url=url)
    return None


def stream_reply(
    client: Any, prompt: list[BaseMessage], *, timeout: float, retry_delays: Sequence[float]
) -> Iterator[AIMessageChunk]:
    """The model's reply as it streams; 429 and 5xx retried with back-off before the first chunk, while an
    answer can still start within ``timeout`` seconds.

    Raises:
        ServiceFailure: the service failed, timed out, or sent something that is not the protocol.
    """
    deadline = time.monotonic() + timeout
    for delay in (*retry_delays, None):
        stream = iter(client.stream(prompt))
        try:
            first = next(stream, None)
        except SERVICE_ERRORS as error:
            status = getattr(error, "status_code", None)
            retry = status is not None and (status == 429 or status >= 500)
            if retry and delay is not None and time.monotonic() + delay < deadline:
                logger.warning("大模型服务返回 HTTP %s，%.1f 秒后重试", status, delay)
                time.sleep(delay)
                continue
            raise ServiceFailure(f"HTTP {status}" if status else type(error).__name__) from None
        if first is not None:
            yield first
            try:
                yield from stream
            except SERVICE_ERRORS as error:
                raise ServiceFailure(type(error).__name__) from None
        return


def chunk_text(chunk: AIMessageChunk) -> str:
    return chunk.content if isinstance(chunk.content, str) else chunk.text


def chunk_usage(chunk: AIMessageChunk) -> dict[str, int]:
    """Token counts as the OpenAI API names them, when the server reported them."""
    usage = chunk.usage_metadata
    if not usage:
        return {}
    return {
        "prompt_tokens": usage.get("input_tokens", 0),
        "completion_tokens": usage.get("output_tokens", 0),
        "total_tokens": usage.get("total_tokens", 0),
    }
