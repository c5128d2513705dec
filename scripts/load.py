"""Load test of the web server through its real HTTP API (the ``ask`` endpoint the page exposes).

Starts ``assistant serve`` on 127.0.0.1 over the configured (or given) index, then

  (a) ``--users`` concurrent simulated users each ask ``--questions`` questions one after another
      (no think time unless ``--think``): p50 / p95 / max latency, errors, server RSS before and after;
  (b) ``--sequential`` requests one at a time, printing the server's RSS every ``--every`` requests,
      so memory can be seen to level off.

Questions are the distinct questions of tests/data/library_questions.jsonl, cycled.

    .venv/bin/python scripts/load.py                     # 50 × 5, then 2,000 sequential
    .venv/bin/python scripts/load.py --sequential 0      # only the concurrent part
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "library_questions.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of the server process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> str:
    """The machine's load, to read the latencies against (other processes share the cores)."""
    one, five, _ = Path("/proc/loadavg").read_text().split()[:3]
    return f"load average {one} (1 min), {five} (5 min)"


def questions() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(row["question"], row.get("audience", "resident"))
    return list(seen.items())


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``assistant serve``, its output to ``log`` (a pipe nobody reads would stall it once full)."""
    command = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_ready(server: subprocess.Popen, base: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"server not ready after {timeout:.0f} s")


async def ask(client: httpx.AsyncClient, api: str, question: str, audience: str) -> tuple[float, str]:
    """One question through Gradio's call API: POST for an event id, then read its event stream.

    Returns the latency and "" or what went wrong."""
    started = time.perf_counter()
    try:
        posted = await client.post(api, json={"data": [question, audience, ""]})
        if posted.status_code != 200:
            return time.perf_counter() - started, f"POST {posted.status_code}"
        event_id = posted.json()["event_id"]
        async with client.stream("GET", f"{api}/{event_id}") as stream:
            event = ""
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    if event == "error":
                        return time.perf_counter() - started, f"error event {line[5:].strip()[:80]}"
                    answer = json.loads(line[5:])[0]
                    problem = answer.get("error") if isinstance(answer, dict) else "no answer"
                    return time.perf_counter() - started, f"answer error {problem[:60]}" if problem else ""
        return time.perf_counter() - started, "stream ended without an answer"
    except httpx.HTTPError as error:
        return time.perf_counter() - started, f"{type(error).__name__}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def concurrent(base: str, api: str, pool: list[tuple[str, str]], users: int, per_user: int, think: float):
    limits = httpx.Limits(max_connections=users * 2, max_keepalive_connections=users * 2)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def user(number: int) -> list[tuple[float, str]]:
            results = []
            for i in range(per_user):
                question, audience = pool[(number * per_user + i) % len(pool)]
                results.append(await ask(client, api, question, audience))
                if think:
                    await asyncio.sleep(random.uniform(0, 2 * think))
            return results

        started = time.perf_counter()
        outcomes = [r for batch in await asyncio.gather(*(user(n) for n in range(users))) for r in batch]
        return outcomes, time.perf_counter() - started


async def sequential(base: str, api: str, pool, count: int, every: int, pid: int) -> tuple[list[float], int]:
    latencies, errors = [], 0
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for n in range(1, count + 1):
            question, audience = pool[n % len(pool)]
            latency, problem = await ask(client, api, question, audience)
            latencies.append(latency)
            errors += bool(problem)
            if n % every == 0:
                window = latencies[-every:]
                print(
                    f"  {n:5d} requests  RSS {rss_mb(pid):7.1f} MB  "
                    f"p50 {statistics.median(window) * 1000:6.0f} ms  errors {errors}",
                    flush=True,
                )
    return latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause (s) between a user's questions")
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--every", type=int, default=250, help="print RSS every this many sequential requests")
    parser.add_argument("--index-dir", type=Path, help="index folder (default ASSISTANT_INDEX_DIR or index/)")
    parser.add_argument("--api-name", default="ask")
    parser.add_argument("--ready-timeout", type=float, default=600)
    args = parser.parse_args()

    env = dict(os.environ)
    if args.index_dir:
        env["ASSISTANT_INDEX_DIR"] = str(args.index_dir)
    env.setdefault("ASSISTANT_DATA_DIR", str(Path(env.get("TMPDIR", "/tmp")) / "assistant-load-data"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = f"/gradio_api/call/{args.api_name}"
    pool = questions()
    print(f"{len(pool)} distinct questions; server on {base}; {os.cpu_count()} CPUs; {load_average()}", flush=True)
    log = Path(env["ASSISTANT_DATA_DIR"]) / "load-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_server(port, env, log)
    try:
        started = time.perf_counter()
        wait_ready(server, base, args.ready_timeout, log)
        print(f"server ready in {time.perf_counter() - started:.1f} s", flush=True)
        asyncio.run(ask_once(base, api, pool[0]))  # the first request sets up Gradio's queue
        before = rss_mb(server.pid)

        outcomes, elapsed = asyncio.run(concurrent(base, api, pool, args.users, args.questions, args.think))
        latencies = [latency for latency, _ in outcomes]
        problems = [problem for _, problem in outcomes if problem]
        after = rss_mb(server.pid)
        print(
            f"(a) {args.users} users × {args.questions} questions (think {args.think:g} s): {len(outcomes)} requests"
            f" in {elapsed:.1f} s ({len(outcomes) / elapsed:.1f}/s)\n"
            f"    p50 {statistics.median(latencies):.3f} s  p95 {percentile(latencies, 0.95):.3f} s"
            f"  max {max(latencies):.3f} s  errors {len(problems)}\n"
            f"    server RSS before {before:.1f} MB, after {after:.1f} MB",
            flush=True,
        )
        for problem in sorted(set(problems))[:5]:
            print(f"    e.g. {problem}")
        if args.sequential:
            print(f"(b) {args.sequential} sequential requests; RSS before {rss_mb(server.pid):.1f} MB", flush=True)
            latencies, errors = asyncio.run(sequential(base, api, pool, args.sequential, args.every, server.pid))
            print(
                f"    p50 {statistics.median(latencies):.3f} s  p95 {percentile(latencies, 0.95):.3f} s"
                f"  max {max(latencies):.3f} s  errors {errors}",
                flush=True,
            )
        print(f"done; {load_average()}", flush=True)
        return 1 if problems else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


async def ask_once(base: str, api: str, item: tuple[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        _, problem = await ask(client, api, *item)
        if problem:
            print(f"warm-up request failed: {problem}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
