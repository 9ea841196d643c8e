"""`make bench-dev`: what a new user waits for, measured on a fresh clone.

Clones this repository's committed HEAD into a temporary directory and times, each as its own phase:
  1. `make install`      (.venv and every dependency, from pip's cache when it is warm);
  2. `make run`          until its login page answers (a free port, its own var/), then Ctrl-C, timing the stop;
  3. `make test`         (skipped with --skip-test), the whole suite with its own result line.
Standard library only; prints one line per phase and a summary table. The load of the machine is printed too,
since timings on a shared machine are only as good as the CPU they got.

    python3 bench/dev_timings.py [--skip-test] [--keep] [--pytest-args "..."]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_LIMIT = 600  # seconds make run may take to answer before the bench gives up on it


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label, argv, cwd, env, results, log):
    began = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    elapsed = time.monotonic() - began
    results.append((label, elapsed, "ok" if code == 0 else f"exit {code} (see {log})"))
    print(f"{label}: {elapsed:.1f} s, {results[-1][2]} [load {load()}]", flush=True)
    return code


def run_until_login(clone, env, results, log):
    port = free_port()
    url = f"http://127.0.0.1:{port}/admin/login/"
    began = time.monotonic()
    out = open(log, "w")
    # A process group of its own, so the Ctrl-C below reaches make, runall and what they started, as a terminal's.
    proc = subprocess.Popen(["make", "run", f"RUN_ARGS=--addr 127.0.0.1:{port}"], cwd=clone, env=env,
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    answered = None
    while time.monotonic() - began < RUN_LIMIT and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2)
            answered = time.monotonic() - began
            break
        except OSError:
            time.sleep(0.2)
    results.append(("make run -> login page", answered or time.monotonic() - began,
                    "ok" if answered else f"no answer (see {log})"))
    print(f"make run -> login page: {results[-1][1]:.1f} s, {results[-1][2]} [load {load()}]", flush=True)
    if answered:
        time.sleep(20)  # the demo data and the worker come after the login page; let them start before stopping
    stop_began = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
        while _group_alive(proc.pid) and time.monotonic() - stop_began < 30:
            time.sleep(0.1)
    except subprocess.TimeoutExpired:
        pass
    stopped = time.monotonic() - stop_began
    alive = _group_alive(proc.pid)
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    results.append(("Ctrl-C -> all stopped", stopped, "ok" if not alive else "still running after 30 s: killed"))
    print(f"Ctrl-C -> all stopped: {stopped:.1f} s, {results[-1][2]}", flush=True)
    out.close()
    return _phases(log)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _phases(log):
    """The phase lines `manage.py runall --demo` prints (migrate, demo logins, demo data, login page)."""
    wanted = ("migrate:", "demo logins:", "demo data:", "login page answers")
    return [line.strip() for line in Path(log).read_text(errors="replace").splitlines() if line.startswith(wanted)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true", help="only install and make run")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    parser.add_argument("--pytest-args", default="", help="PYTEST_ARGS for make test")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-dev-"))
    clone = workdir / "clone"
    env = {k: v for k, v in os.environ.items() if k not in ("VAR_DIR", "VIRTUAL_ENV") and not k.startswith("PYTEST")}
    print(f"fresh clone of {ROOT} (HEAD) in {clone}; {os.cpu_count()} CPUs, load {load()}", flush=True)
    results = []
    try:
        subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        if timed("make install", ["make", "install"], clone, env, results, workdir / "install.log"):
            return 1
        phases = run_until_login(clone, env, results, workdir / "run.log")
        if not args.skip_test:
            timed("make test", ["make", "test", f"PYTEST_ARGS={args.pytest_args}"], clone, env, results,
                  workdir / "test.log")
            tail = [line for line in (workdir / "test.log").read_text(errors="replace").splitlines()
                    if " passed" in line or " failed" in line]
            if tail:
                print(f"make test: {tail[-1].strip('= ')}")
        print("\nphase                    seconds  result")
        for label, seconds, result in results:
            print(f"{label:<24} {seconds:7.1f}  {result}")
        if phases:
            print("make run's own phases: " + "; ".join(phases))
        print(f"load average at the end: {load()} on {os.cpu_count()} CPUs")
        return 0 if all(result == "ok" for _label, _s, result in results) else 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
