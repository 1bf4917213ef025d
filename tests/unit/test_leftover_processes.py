"""The suite's leftover-process check (tests/fixtures/leftovers.py), on a pytest run of its own:
a test that leaves a child running fails the session, naming the process (then killed); a test
that stops what it starts passes. Processes of the outer session are not counted."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEAKY = """
import subprocess
def test_leaks():
    subprocess.Popen(["sleep", "{marker}"])
"""
TIDY = """
import subprocess
def test_tidy():
    p = subprocess.Popen(["sleep", "{marker}"])
    p.terminate(); p.wait()
"""


def run(tmp_path: Path, body: str, marker: str) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "test_inner.py"
    f.write_text(body.format(marker=marker))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.fixtures.leftovers", str(f)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def alive(marker: str) -> bool:
    out = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


def test_a_test_that_leaves_a_process_fails_the_session(tmp_path: Path) -> None:
    marker = "123.456"  # an odd duration: the command line names this test's process alone
    r = run(tmp_path, LEAKY, marker)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "leftover processes" in r.stdout and f"sleep {marker}" in r.stdout
    deadline = time.monotonic() + 5
    while alive(marker):  # and it was killed
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_a_tidy_test_passes(tmp_path: Path) -> None:
    r = run(tmp_path, TIDY, "123.457")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "leftover processes" not in r.stdout
