"""The web app under load (issue 19, part 7): concurrent respondents against uvicorn.

    python bench/bench_web.py [--respondents 200] [--concurrency 200]
                              [--database postgresql+psycopg://user:pw@127.0.0.1/db]

Starts ``mgrlead serve``'s app with uvicorn on 127.0.0.1 (a free port, one
process, the default SQLite file in a temporary folder, or ``--database``) and
lets ``--respondents`` simulated respondents, ``--concurrency`` of them at a
time, each start a session, answer all 24 items of the built-in rubric one
request at a time and finish it, over HTTP with httpx.  The baseline, in the
same run and the same server, is the same number of requests to
``/api/v1/health`` (a request that touches no database) at the same
concurrency.  Prints requests per second, the median and 95th-percentile
latency of each kind of request, the ratio of throughput to the baseline, and
checks afterwards that every answer given is stored (read back through the
API) and every session finished.  Without ``--database`` the SQLite file is
deleted afterwards; with it, the database must be one the benchmark may fill.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ITEMS: list[str] = []


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database: str, port: int) -> subprocess.Popen[bytes]:
    """uvicorn serving ``mgrlead.web.create_app`` (sessions per minute high enough for a load)."""
    code = (
        "import uvicorn, mgrlead.web as w\n"
        f"app = w.create_app(database={database!r}, sessions_per_minute=1_000_000)\n"
        # keep-alive longer than the longest wait in the queue: with uvicorn's 5 s
        # a connection the client is about to reuse can be closed under it
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', "
        "timeout_keep_alive=120)\n"
    )
    return subprocess.Popen([sys.executable, "-c", code])  # noqa: S603 - our own code


def wait_until_up(base: str, timeout: float = 30.0) -> None:
    """Poll the health endpoint until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(f"{base}/api/v1/health"):
            return
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


async def respondent(
    client: httpx.AsyncClient, seed: int, latencies: dict[str, list[float]]
) -> tuple[str, dict[str, int]]:
    """One respondent: start, answer every item, finish; the token and the answers given."""
    rng = random.Random(seed)

    async def timed(kind: str, method: str, url: str, **kw: object) -> httpx.Response:
        start = time.perf_counter()
        reply = await client.request(method, url, **kw)  # type: ignore[arg-type]
        latencies.setdefault(kind, []).append(time.perf_counter() - start)
        if reply.status_code >= 400:
            raise SystemExit(f"{method} {url}: {reply.status_code} {reply.text[:200]}")
        return reply

    created = await timed("start", "POST", "/api/v1/sessions", json={"rubric": "manager-leader"})
    token = created.json()["token"]
    given = {item: rng.randint(1, 5) for item in ITEMS}
    for item, value in given.items():
        await timed("answer", "PUT", f"/api/v1/sessions/{token}/answers/{item}",
                    json={"value": value})  # fmt: skip
    await timed("finish", "POST", f"/api/v1/sessions/{token}/finish")
    return token, given


async def load(base: str, respondents: int, concurrency: int) -> tuple[float, dict, list]:
    """Every respondent through the API, ``concurrency`` at a time."""
    latencies: dict[str, list[float]] = {}
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:

        async def one(seed: int) -> tuple[str, dict[str, int]]:
            async with gate:
                return await respondent(client, seed, latencies)

        start = time.perf_counter()
        done = await asyncio.gather(*(one(k) for k in range(respondents)))
        seconds = time.perf_counter() - start
    return seconds, latencies, list(done)


async def baseline(base: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """The same number of requests to the health endpoint, at the same concurrency."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:

        async def one() -> None:
            async with gate:
                t = time.perf_counter()
                reply = await client.get("/api/v1/health")
                latencies.append(time.perf_counter() - t)
                reply.raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        return time.perf_counter() - start, latencies


def check_stored(base: str, done: list[tuple[str, dict[str, int]]]) -> int:
    """Read every session back: each answer given is stored, each session finished."""
    checked = 0
    with httpx.Client(base_url=base, timeout=60.0) as client:
        for token, given in done:
            state = client.get(f"/api/v1/sessions/{token}").json()
            stored = state["answers"]
            if stored != given:
                wrong = sorted(k for k in given if stored.get(k) != given[k])
                raise SystemExit(f"session {token[:6]}...: stored answers differ at {wrong[:5]}")
            if state["finished_at"] is None:
                raise SystemExit(f"session {token[:6]}... is not finished")
            checked += len(stored)
    return checked


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    """Run the load and the baseline, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--database", default=None, help="a SQLAlchemy URL [default: SQLite]")
    args = parser.parse_args()
    import mgrlead

    ITEMS.extend(mgrlead.load_rubric("manager-leader").item_ids)
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(database, port)
        try:
            wait_until_up(base)
            seconds, latencies, done = asyncio.run(load(base, args.respondents, args.concurrency))
            requests = sum(len(v) for v in latencies.values())
            base_seconds, base_latencies = asyncio.run(baseline(base, requests, args.concurrency))
            answers = check_stored(base, done)
        finally:
            server.terminate()
            server.wait(timeout=30)
    kind = "PostgreSQL" if database.startswith("postgresql") else "SQLite"
    print(f"{args.respondents} respondents, {args.concurrency} at a time, {kind}, "
          f"uvicorn (one process) on 127.0.0.1; os.cpu_count() = {os.cpu_count()}")  # fmt: skip
    print("| requests | count | median | p95 | requests/s |")
    print("|---|---|---|---|---|")
    for name, values in latencies.items():
        print(f"| {name} | {len(values)} | {statistics.median(values) * 1000:.1f} ms "
              f"| {p95(values) * 1000:.1f} ms | |")  # fmt: skip
    print(f"| all of them (a session: start, 24 answers, finish) | {requests} | "
          f"{statistics.median([x for v in latencies.values() for x in v]) * 1000:.1f} ms | "
          f"{p95([x for v in latencies.values() for x in v]) * 1000:.1f} ms | "
          f"{requests / seconds:,.0f} |")  # fmt: skip
    print(f"| baseline: `GET /api/v1/health`, same count and concurrency | {len(base_latencies)} "
          f"| {statistics.median(base_latencies) * 1000:.1f} ms | {p95(base_latencies) * 1000:.1f} "
          f"ms | {len(base_latencies) / base_seconds:,.0f} |")  # fmt: skip
    print(f"throughput: {(requests / seconds) / (len(base_latencies) / base_seconds):.2f} of the "
          f"baseline's; {answers:,} answers read back, every one as given, "
          f"{len(done)} sessions finished")  # fmt: skip


if __name__ == "__main__":
    main()
