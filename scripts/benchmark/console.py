"""What the benchmark prints while it runs: timestamped progress lines (log), shortened error
text (short), and BenchError, the failure main() reports as BENCH FAILED."""

from __future__ import annotations

import time


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def short(e: Exception, n: int = 300) -> str:
    text = str(e).replace("\n", " ")
    return text if len(text) <= n else text[:n] + "..."
