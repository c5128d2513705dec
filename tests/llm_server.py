"""The one test double of the project: a small OpenAI-compatible HTTP server on 127.0.0.1.

It speaks the real protocol (``POST /v1/chat/completions``, plain and ``stream: true`` with SSE
``data: {...}`` chunks and ``data: [DONE]``; ``GET /v1/models``) so the real ``ChatOpenAI`` client
talks to it, and replays the replies a test scripts, one per request, in order. With ``api_key``
set it answers a wrong key with a 401 whose message echoes the key, as hosted services do.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "test-model"


@dataclass
class Reply:
    """One scripted response.

    ``content`` is the assistant's text (for status 200); ``body`` is sent verbatim instead of a
    built completion (a JSON error object, or malformed text: for a streaming request it becomes the
    payload of one ``data:`` event); ``delay`` seconds pass before the status line is sent.
    """

    content: str = ""
    status: int = 200
    body: str | dict | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    usage: tuple[int, int] = (321, 45)


@dataclass
class Request:
    """What the client sent: method, path, headers (names in lower case) and the parsed JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class OpenAICompatibleServer:
    """``with OpenAICompatibleServer() as server: server.script(Reply("…")); … server.base_url``."""

    def __init__(self, *, api_key: str = "", chunk_chars: int = 3) -> None:
        self.api_key = api_key
        self.chunk_chars = chunk_chars
        self.requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply | str) -> None:
        self._replies.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def __enter__(self) -> OpenAICompatibleServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()  # ends the scripted delays of requests still waiting
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, default: Reply) -> Reply:
        try:
            return self._replies.popleft()
        except IndexError:
            return default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                self._record({})
                if self._rejects_key():
                    return
                if self.path.rstrip("/").endswith("/models"):
                    listing = {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "test"}]}
                    self._respond(server._next(Reply(body=listing)))
                else:
                    self._respond(Reply(status=404, body={"error": {"message": "not found"}}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                self._record(body)
                if self._rejects_key():
                    return
                missing = Reply(status=500, body={"error": {"message": "no scripted reply", "type": "server_error"}})
                reply = server._next(missing)
                if server._stopping.wait(reply.delay):
                    return
                if reply.status == 200 and body.get("stream"):
                    self._stream(reply, body)
                else:
                    self._respond(reply, completion=body)

            def _record(self, body: dict) -> None:
                server.requests.append(
                    Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )

            def _rejects_key(self) -> bool:
                if not server.api_key:
                    return False
                sent = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if sent == server.api_key:
                    return False
                message = f"Incorrect API key provided: {sent}. You can find your API key at the console."
                error = {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}
                self._respond(Reply(status=401, body=error))
                return True

            def _respond(self, reply: Reply, completion: dict | None = None) -> None:
                if reply.body is not None:
                    payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                else:
                    payload = json.dumps(_completion(reply))
                data = payload.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, request: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                if reply.body is not None:
                    raw = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                    self.wfile.write(f"data: {raw}\n\n".encode())
                    self.wfile.flush()
                    return
                text = reply.content
                step = max(1, server.chunk_chars)
                pieces = [text[i : i + step] for i in range(0, len(text), step)]
                self._event(_chunk({"role": "assistant", "content": ""}, None))
                for piece in pieces:
                    self._event(_chunk({"content": piece}, None))
                self._event(_chunk({}, "stop"))
                if (request.get("stream_options") or {}).get("include_usage"):
                    self._event({**_chunk({}, None), "choices": [], "usage": _usage(reply)})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, event: dict) -> None:
                self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(reply: Reply) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}],
        "usage": _usage(reply),
    }


def _chunk(delta: dict, finish_reason: str | None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
