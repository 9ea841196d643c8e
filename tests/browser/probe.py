"""The browser suite's window into the site's Django: reads one JSON-encoded piece of code a line from stdin, runs
it with the names `manage.py shell` would import, and answers one JSON line: {"out": what it printed} or
{"error": the traceback}. One process for the whole suite, so a wait polls the worker's rows every half second
without starting Django each time (tests/browser/site.py starts it with the site's environment)."""
import contextlib
import io
import json
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

# Answers go to the real stdout only; anything else printed (start-up banners) goes to the log on stderr.
ANSWERS, sys.stdout = sys.stdout, sys.stderr
django.setup()

from django.core.management.commands.shell import Command as Shell  # noqa: E402
from django.db import connections  # noqa: E402

NAMESPACE = Shell().get_namespace(verbosity=0)

for line in sys.stdin:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(json.loads(line), dict(NAMESPACE))
        answer = {"out": out.getvalue()}
    except Exception:  # the test that sent the code reads the traceback
        answer = {"error": out.getvalue() + traceback.format_exc()}
    finally:
        connections.close_all()  # the next poll reads what the worker has committed since
    ANSWERS.write(json.dumps(answer) + "\n")
    ANSWERS.flush()
