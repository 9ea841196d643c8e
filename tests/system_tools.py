"""Programs from Debian packages that some tests run. The project installs everything else itself; without one of
these, the tests that need it skip with one line naming the package (tests/conftest.py prints the summary)."""
import shutil

import pytest

# program -> the Debian package that brings it
PACKAGES = {"pdftotext": "poppler-utils", "pdffonts": "poppler-utils"}


def skip_reason(program):
    return f"needs {program}: apt-get install {PACKAGES[program]}"


def require(*programs):
    """Skip the calling test unless every program is on PATH."""
    for program in programs:
        if not shutil.which(program):
            pytest.skip(skip_reason(program))


def missing_packages():
    return sorted({package for program, package in PACKAGES.items() if not shutil.which(program)})
