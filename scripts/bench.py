"""Timings that the README and notes quote: first ingest, warm per-question time of `ask --json -`,
and `assistant serve` start-to-ready. Prints figures; asserts nothing."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = ROOT / "tests" / "data" / "questions.jsonl"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def main() -> None:
    questions_file = DEV if DEV.exists() else FALLBACK
    questions = [
        json.loads(line)["question"] for line in questions_file.read_text("utf-8").splitlines() if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ASSISTANT_INDEX_DIR": f"{tmp}/index", "ASSISTANT_DATA_DIR": f"{tmp}/data"}

        started = time.perf_counter()
        subprocess.run(cli("ingest"), env=env, check=True, capture_output=True)
        print(f"first ingest (process start to done, model load included): {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        process = subprocess.Popen(
            cli("ask", "--json", "-"), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        process.stdin.write("\n".join(questions) + "\n")
        process.stdin.close()
        arrivals = [time.perf_counter() for _ in process.stdout]
        process.wait()
        warm = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)
        print(
            f"ask --json - over {len(arrivals)} questions ({questions_file.name}): first answer after "
            f"{arrivals[0] - started:.1f} s (start-up), then {warm * 1000:.0f} ms per question warm"
        )

        for label, index_dir in (("index present", f"{tmp}/index"), ("first start, builds the index", f"{tmp}/fresh")):
            serve_env = {**env, "ASSISTANT_INDEX_DIR": index_dir}
            started = time.perf_counter()
            server = subprocess.Popen(
                cli("serve", "--port", "7899"), env=serve_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                while True:
                    try:
                        with urllib.request.urlopen("http://127.0.0.1:7899/", timeout=2):
                            break
                    except OSError:
                        time.sleep(0.1)
                print(f"assistant serve, {label}: start to ready page {time.perf_counter() - started:.1f} s")
            finally:
                server.terminate()
                server.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory of a child process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
