"""`make doctor`: what this machine has and lacks for `make run` and `make test`, and why each thing matters.

Runs with any Python 3 and the standard library only (it must speak before .venv exists). Required things that
are missing print `missing` and make it exit 1; optional ones print `warn` with the Debian package to install and
what is skipped without it. `make test` and `make run` run it first.

    python3 bench/doctor.py [--python python3.11]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ((3, 11), (3, 12))  # pyproject.toml: requires-python = ">=3.11,<3.13"
NOTO_CJK = [Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"),
            Path("/usr/share/fonts/google-noto-cjk")]


class Report:
    def __init__(self):
        self.missing = 0

    def line(self, status, what, detail):
        print(f"doctor: {status:<7} {what:<22} {detail}")

    def ok(self, what, detail):
        self.line("ok", what, detail)

    def warn(self, what, detail):
        self.line("warn", what, detail)

    def fail(self, what, detail):
        self.missing += 1
        self.line("missing", what, detail)


def check_python(report, python):
    found = shutil.which(python)
    if not found:
        report.fail("python", f"{python} not found: install Python 3.11 (Debian: apt-get install python3 python3-venv "
                              "on bookworm; or set PYTHON=python3.12 for make)")
        return
    try:
        version = subprocess.run([found, "-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        report.fail("python", f"{found} does not run: {exc}")
        return
    if version.returncode:
        report.fail("python", f"{found} lacks venv/ensurepip (Debian: apt-get install python3-venv)")
        return
    major_minor = tuple(int(part) for part in version.stdout.strip().split("."))
    if major_minor not in SUPPORTED:
        report.fail("python", f"{found} is {version.stdout.strip()}; the project needs 3.11 or 3.12")
        return
    report.ok("python", f"{found} ({version.stdout.strip()})")


def check_venv(report):
    venv_python = ROOT / ".venv" / "bin" / "python"
    stamp = ROOT / ".venv" / ".installed"
    if not venv_python.exists():
        report.ok(".venv", "not there yet: make creates it and installs the project (pip, from pyproject.toml)")
    elif not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        report.ok(".venv", "out of date with pyproject.toml: make reinstalls it")
    else:
        report.ok(".venv", "installed")


def check_pdf_font(report):
    configured = os.environ.get("PDF_CJK_FONT_PATH", "")
    if configured and not Path(configured).is_file():
        report.fail("PDF font", f"PDF_CJK_FONT_PATH={configured} is not a file: every PDF would fail")
        return
    if configured:
        report.ok("PDF font", configured)
        return
    bundled = ROOT / "core" / "fonts" / "wqy-microhei.ttc"
    if bundled.is_file():
        report.ok("PDF font", "WenQuanYi Micro Hei shipped in core/fonts/ (or Debian's fonts-wqy-zenhei if installed)")
    else:
        report.fail("PDF font", f"{bundled} is missing: restore it (git checkout core/fonts)")


def check_tools(report):
    if shutil.which("pdftotext") and shutil.which("pdffonts"):
        report.ok("pdftotext", "the tests read the PDFs back")
    else:
        report.warn("pdftotext", "not found: the tests that read PDFs back skip (apt-get install poppler-utils)")
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if Path(chromium).exists():
        report.ok("chromium", f"{chromium}: the browser suite runs")
    else:
        report.warn("chromium", "not found: the browser suite (tests/browser) skips (apt-get install chromium)")
    if any(folder.is_dir() for folder in NOTO_CJK):
        report.ok("fonts-noto-cjk", "Chinese shows in the browser suite's screenshots")
    else:
        report.warn("fonts-noto-cjk", "not found: browser screenshots show boxes for Chinese "
                                      "(apt-get install fonts-noto-cjk)")
    if shutil.which("msgfmt"):
        report.ok("gettext", "make messages can compile catalogues")
    else:
        report.warn("gettext", "not found: only `make messages` needs it (apt-get install gettext)")


def _reachable(url, default_port):
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        socket.create_connection((host, port), timeout=3).close()
        return f"{host}:{port}", None
    except OSError as exc:
        return f"{host}:{port}", exc


def check_services(report):
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        report.ok("database", "SQLite under var/ (set DATABASE_URL for PostgreSQL)")
    elif url.startswith("postgres"):
        where, error = _reachable(url, 5432)
        if error:
            report.fail("database", f"DATABASE_URL points at PostgreSQL on {where}, which does not answer ({error})")
        else:
            report.ok("database", f"PostgreSQL answers on {where}")
    else:
        report.ok("database", url.split(":", 1)[0])
    redis = os.environ.get("REDIS_URL", "")
    if redis:
        where, error = _reachable(redis, 6379)
        if error:
            report.fail("redis", f"REDIS_URL points at {where}, which does not answer ({error}); unset it for the "
                                 "ORM broker")
        else:
            report.ok("redis", f"answers on {where}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.environ.get("PYTHON", "python3.11"),
                        help="the interpreter make builds .venv with")
    args = parser.parse_args(argv)
    report = Report()
    check_python(report, args.python)
    check_venv(report)
    check_pdf_font(report)
    check_tools(report)
    check_services(report)
    if report.missing:
        print(f"doctor: {report.missing} required thing(s) missing, see above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
