"""Statement PDF parsing throughput: serial vs a process pool, peak memory, and cache hits.

    /work/venv/bin/python benchmarks/bench_statements.py [--files 120] [--workers 2]

Generates ``--files`` synthetic two-page statements (LCL and Boursorama layouts alternately) into a
temporary directory, then:

1. parses them serially in this process (no cache);
2. parses them with a ProcessPoolExecutor, filling a parse cache. Memory stays bounded by chunking:
   tasks are chunks of ``CHUNK`` file paths (never bodies), a worker holds one PDF at a time and closes
   it, and results stream back as they complete. Default start method ``fork`` (workers inherit the
   imported parser: no start-up cost). ``--start-method forkserver --tasks-per-child 1`` recycles a
   worker after each chunk as well (the parser is preloaded in the forkserver); values above 1
   deadlock on CPython 3.11-3.14 (python/cpython#115634), so the script refuses them;
3. parses them again through the cache (``parse_cached``) and counts real parses (must be 0).

``--reader layout`` (default) parses with the LCL/Boursorama layouts (``connectors.statements.parse``),
``--reader generic`` with the layout-free reader (``connectors.statements.generic``, issue 11), which
also checks that both give the same statements on every file. The cache step always goes through
the dispatch (layout when one claims the file).

Prints pages/s serial, pages/s pooled, the speed-up, and peak RSS: this process, the largest worker
(each worker reports its own ``ru_maxrss``) and ``RUSAGE_CHILDREN``. Figures only, no assertions.
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.statements import dispatch, parse, parse_cached, render_statement_pdf  # noqa: E402
from connectors.statements.generic import read_statement  # noqa: E402
from connectors.statements.synth import synth_statement  # noqa: E402

_PAGE = re.compile(rb"/Type /Page\b")
CHUNK = 5                 # files per task
READERS = {"layout": lambda body, source: parse.parse_statement_pdf(body, source=source),
           "generic": lambda body, source: read_statement(body, source=source)}
READER = "layout"         # set from --reader before the pool forks
CROSS_CHECK = False


def generate(directory: Path, n: int) -> dict[str, int]:
    """Write ``n`` statements; return {path: page count}."""
    pages: dict[str, int] = {}
    for i in range(n):
        layout = "lcl" if i % 2 == 0 else "boursorama"
        start = dt.date(2020, 1, 1) + dt.timedelta(days=31 * i)
        st = synth_statement(i, start, start + dt.timedelta(days=30), 70)
        body = render_statement_pdf(st, layout=layout, account_number=f"00412 {i:07d}")
        path = directory / f"releve_{i:04d}_{layout}.pdf"
        path.write_bytes(body)
        pages[str(path)] = len(_PAGE.findall(body))
    return pages


def _parse_chunk(paths: list[str], cache_dir: str | None) -> tuple[int, int, float]:
    """Worker: parse a chunk of files; return (rows parsed, this worker's peak RSS in KiB, CPU s)."""
    cpu0 = time.process_time()
    rows = 0
    for p in paths:
        body = Path(p).read_bytes()
        if cache_dir:
            batch = parse_cached(body, source=os.path.basename(p), cache_dir=cache_dir)
        else:
            batch = READERS[READER](body, os.path.basename(p))
            if READER == "generic" and CROSS_CHECK:
                assert batch.statements == parse.parse_statement_pdf(body, source=p).statements, p
        rows += len(batch.statements[0].lines)
    return rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time() - cpu0


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def calibrate(workers: int, n: int = 3_000_000) -> float:
    """What speed-up plain CPU-bound Python gets from ``workers`` processes on this machine now
    (other load on a shared machine caps what any pool can show)."""
    t0 = time.perf_counter()
    for _ in range(2 * workers):
        _burn(n)
    serial = time.perf_counter() - t0
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        list(pool.map(_burn, [n] * workers))   # warm the workers
        t0 = time.perf_counter()
        list(pool.map(_burn, [n] * (2 * workers)))
        pooled = time.perf_counter() - t0
    return serial / pooled


def _mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--start-method", default="fork", choices=["fork", "forkserver", "spawn"])
    ap.add_argument("--tasks-per-child", type=int, default=None, choices=[1],
                    help="recycle workers after each chunk (not with fork)")
    ap.add_argument("--reader", default="layout", choices=sorted(READERS))
    args = ap.parse_args()
    global READER
    READER = args.reader
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"pure-Python CPU-burn speed-up with {args.workers} processes right now: "
          f"{calibrate(args.workers):.2f}x")

    with tempfile.TemporaryDirectory(prefix="bench-statements-") as tmp:
        root = Path(tmp)
        (root / "pdf").mkdir()
        t0 = time.perf_counter()
        pages = generate(root / "pdf", args.files)
        paths = sorted(pages)
        n_pages = sum(pages.values())
        print(f"generated {len(paths)} statements, {n_pages} pages in {time.perf_counter() - t0:.1f} s")

        if args.reader == "generic":   # same statements as the layouts, file by file (not timed)
            global CROSS_CHECK
            CROSS_CHECK = True
            _parse_chunk(paths, None)
            CROSS_CHECK = False
            print(f"generic reader == layout reader on all {len(paths)} files")
        t0 = time.perf_counter()
        rows_serial, _, cpu_serial = _parse_chunk(paths, None)
        serial = time.perf_counter() - t0
        print(f"reader : {args.reader}")
        print(f"serial : {serial:6.2f} s  {n_pages / serial:6.1f} pages/s  ({rows_serial} rows, "
              f"{cpu_serial:.1f} CPU-s)")

        ctx = mp.get_context(args.start_method)
        if args.start_method == "forkserver":
            ctx.set_forkserver_preload(["connectors.statements"])
        chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
        cache_dir = str(root / "cache")
        worker_peak = 0
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers, mp_context=ctx,
                                 max_tasks_per_child=args.tasks_per_child) as pool:
            rows_pool, cpu_pool = 0, 0.0
            fill = cache_dir if args.reader == "layout" else None   # the cache goes through dispatch
            for rows, peak, cpu in pool.map(_parse_chunk, chunks, [fill] * len(chunks)):
                rows_pool += rows
                worker_peak = max(worker_peak, peak)
                cpu_pool += cpu
        pooled = time.perf_counter() - t0
        print(f"pooled : {pooled:6.2f} s  {n_pages / pooled:6.1f} pages/s  ({rows_pool} rows, "
              f"{args.workers} processes, {args.start_method}, {CHUNK} files/task, "
              f"tasks/child {args.tasks_per_child or 'unlimited'})")
        print(f"speed-up: {serial / pooled:.2f}x wall-clock; the workers used {cpu_pool:.1f} CPU-s "
              f"(serial {cpu_serial:.1f}), i.e. {cpu_pool / pooled:.2f} of {args.workers} CPUs busy on "
              f"average: below {args.workers} means other load on the machine took the rest")
        assert rows_pool == rows_serial

        real_parse = dispatch.read_statement_pdf
        parses = 0

        def counting(*a: object, **k: object):  # type: ignore[no-untyped-def]
            nonlocal parses
            parses += 1
            return real_parse(*a, **k)

        if args.reader == "layout":
            dispatch.read_statement_pdf = counting  # type: ignore[assignment]
            t0 = time.perf_counter()
            rows_cached, _, _ = _parse_chunk(paths, cache_dir)
            cached = time.perf_counter() - t0
            dispatch.read_statement_pdf = real_parse  # type: ignore[assignment]
            print(f"cached : {cached:6.2f} s  {n_pages / cached:6.1f} pages/s  ({rows_cached} rows, "
                  f"{parses} parses, {len(paths) - parses} cache hits)")

    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS: main {_mb(me)}, largest worker {_mb(worker_peak)}, "
          f"RUSAGE_CHILDREN {_mb(children)}")


if __name__ == "__main__":
    main()
