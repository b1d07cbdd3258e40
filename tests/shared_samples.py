"""Third-party sample files from the shared directory beside the checkout (not shipped with the repo).

The shared directory is ``$BANKFLOW_SHARED_DIR`` when set, else ``<repo>/../shared`` (as in CI). A user's
clone has none: tests that read from it call :func:`shared_sample` at run time, which skips the test with
a reason when the directory is absent. Nothing here touches the disk at import, so collection never fails.
When the directory is present, a missing file is an error (FileNotFoundError), not a skip: with the
samples in place, every test runs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared directory: ``$BANKFLOW_SHARED_DIR``, else ``<repo>/../shared``."""
    return Path(os.environ.get("BANKFLOW_SHARED_DIR") or REPO.parent / "shared")


def shared_sample(relative: str) -> Path:
    """Path of ``relative`` under the shared directory; skips the calling test when that directory is absent."""
    root = shared_dir()
    if not root.is_dir():
        pytest.skip(f"third-party sample {relative} needs the shared directory, not found at {root} "
                    "(set BANKFLOW_SHARED_DIR or put shared/ beside the checkout)")
    path = root / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the shared directory {root} exists but lacks this sample; "
                                "update it or point BANKFLOW_SHARED_DIR at a complete copy")
    return path
