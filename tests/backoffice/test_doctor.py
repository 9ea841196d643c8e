"""`make doctor` from a clean environment: no variables but PATH, so it judges the machine as a new user's shell
would. It finds this Python, names what it checks, and exits 0 here (the tests run, so nothing required is
missing); an unreachable DATABASE_URL and a wrong Python are refused with the reason."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def doctor(*args, **env):
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run([sys.executable, str(ROOT / "bench" / "doctor.py"), *args], env=clean, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_doctor_passes_on_this_machine_and_names_each_check():
    done = doctor("--python", sys.executable)
    assert done.returncode == 0, done.stdout + done.stderr
    for check in ("python", ".venv", "PDF font", "pdftotext", "chromium", "database"):
        assert f" {check} " in done.stdout, done.stdout
    assert "missing" not in done.stdout


def test_an_unreachable_database_and_a_missing_python_are_refused_with_the_reason():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    done = doctor("--python", "python3.9-not-here", DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/x")
    assert done.returncode == 1
    assert "missing python" in done.stdout and "python3.9-not-here not found" in done.stdout
    assert f"PostgreSQL on 127.0.0.1:{port}, which does not answer" in done.stdout
