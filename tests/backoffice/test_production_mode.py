"""Production settings pass Django's deployment checklist, and `manage.py serve` runs gunicorn + whitenoise +
the django-q2 worker with DEBUG off and stops both on TERM. Each runs in a subprocess with a production env."""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test runs manage.py in a subprocess; one starts gunicorn and the worker

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3Jx9-production-test-secret-" + "q7W2vZ8mN4pL6tR0yB5cH1dF3gS9aE" * 2


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings", DJANGO_ENV="production", SECRET_KEY=SECRET,
        ALLOWED_HOSTS="backoffice.example.com,127.0.0.1", VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", LANGUAGE="en", PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env, *args, timeout=120):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_settings_are_switched_off(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012"):
        assert code in result.stdout + result.stderr


def test_https_settings_come_from_the_environment(tmp_path):
    env = production_env(tmp_path, SECURE_HSTS_SECONDS="600", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
                         AXES_FAILURE_LIMIT="9", AXES_COOLOFF_MINUTES="15")
    code = ("from django.conf import settings as s; print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
            "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.AXES_FAILURE_LIMIT, "
            "s.AXES_COOLOFF_TIME.total_seconds(), s.STORAGES['staticfiles']['BACKEND'])")
    result = manage(env, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "600", "('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True", "True", "9", "900.0",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, https=True):
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    request = urllib.request.Request(url, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_for(predicate, what, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, sqlite3.Error):
            pass
        time.sleep(0.3)
    pytest.fail(f"gave up waiting for {what}")


def test_serve_runs_gunicorn_with_whitenoise_and_the_worker_and_stops_on_term(tmp_path):
    env = production_env(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", Q_WORKERS="1")
    for step in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v", "0")):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_for(lambda: _get(base + "/admin/login/")[0] == 200, "gunicorn to answer")
        status, headers, page = _get(base + "/admin/login/")
        assert headers["Server"].startswith("gunicorn")
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        # Plain HTTP (no proxy header) is redirected to HTTPS.
        status, headers, _ = _get(base + "/admin/login/", https=False)
        assert status == 301 and headers["Location"].startswith("https://")
        # Static files come from whitenoise under their hashed, cache-forever names.
        css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page).group(1)
        status, headers, body = _get(base + css)
        assert status == 200 and "immutable" in headers["Cache-Control"] and "body" in body
        # DEBUG is off: a missing page is a plain 404, not Django's debug page.
        status, _, body = _get(base + "/no-such-page/")
        assert status == 404 and "URLconf" not in body

        # The worker runs: a task queued through the ORM broker gets done.
        enqueue = manage(env, "shell", "-v", "0", "-c", "from django_q.tasks import async_task; async_task('math.floor', 2.5)")
        assert enqueue.returncode == 0, enqueue.stderr
        db = tmp_path / "prod.sqlite3"

        def task_done():
            with sqlite3.connect(db) as conn:
                return conn.execute("SELECT count(*) FROM django_q_task WHERE func='math.floor' AND success").fetchone()[0]

        _wait_for(task_done, "the django-q2 worker to run the task")
    finally:
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=60)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert returncode == 0, output
    assert "Shutting down: Master" in output  # gunicorn stopped cleanly
    # Every process of the group is gone, gunicorn's and the worker's children included.
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_serve_refuses_to_run_with_debug_on(tmp_path):
    env = production_env(tmp_path, DJANGO_ENV="development")
    result = manage(env, "serve", "--bind", f"127.0.0.1:{_free_port()}")
    assert result.returncode != 0 and "DEBUG" in result.stderr
