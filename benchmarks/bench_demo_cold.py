"""Wall time of `bankflow demo` as a user runs it (a new process), cold and warm.

* cold: a fresh data dir and a fresh PREFECT_HOME (Prefect creates and migrates its local database);
* warm: a fresh data dir, the PREFECT_HOME of the cold run.
Targets (issue 13): cold <= 15 s; again into the same data dir <= 5 s. Prints the load average.

    python benchmarks/bench_demo_cold.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def demo(data_dir: Path, prefect_home: Path) -> float:
    env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--data-dir", str(data_dir)],
                       capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"demo failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        cold = demo(t / "d1", t / "prefect-home")
        warm = demo(t / "d2", t / "prefect-home")
        again = demo(t / "d2", t / "prefect-home")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"bankflow demo, cold (fresh data dir, fresh PREFECT_HOME): {cold:.1f} s  (target <= 15 s)")
    print(f"bankflow demo, warm (fresh data dir, existing PREFECT_HOME): {warm:.1f} s")
    print(f"bankflow demo, again into the same data dir (nothing new):   {again:.1f} s  (target <= 5 s)")


if __name__ == "__main__":
    main()
