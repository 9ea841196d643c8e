"""The site under test: a fresh database with the demo data, `runserver` and the django-q2 worker, each in its own
process, exactly as `make run` starts them. Nothing here touches the test database of the rest of the suite."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_admin(url):
    """psql arguments for the server of `url`, connected to its maintenance database."""
    parts = urlsplit(url)
    return ["psql", "-q", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", parts.username or "postgres", "-d", "postgres", "-c"]


@dataclass
class Site:
    url: str
    env: dict
    var: Path
    procs: list
    drop_db: list | None = None
    probe: subprocess.Popen | None = None

    def manage(self, *args, timeout=120):
        """Run a management command against the site's database and return its stdout."""
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run(self, code):
        """What `code` prints when run in the site's Django: one long-lived process (tests/browser/probe.py) with
        the names `manage.py shell` imports, so polling the worker's state costs milliseconds, not a start-up."""
        if self.probe is None or self.probe.poll() is not None:
            self.probe = subprocess.Popen([sys.executable, str(Path(__file__).with_name("probe.py"))], cwd=ROOT,
                                          env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=open(self.var / "probe.log", "ab"), text=True)
        self.probe.stdin.write(json.dumps(code) + "\n")
        self.probe.stdin.flush()
        answer = self.probe.stdout.readline()
        if not answer:
            raise AssertionError(f"the probe of the site's Django died; see {self.var / 'probe.log'}")
        answer = json.loads(answer)
        if "error" in answer:
            raise AssertionError(f"{code}\nfailed in the site's Django:\n{answer['error']}")
        return answer["out"]

    def python(self, code):
        """Run Python in the site's Django; the last line it prints comes back."""
        lines = self.run(code).strip().splitlines()
        return lines[-1] if lines else ""

    def log_tail(self, lines=40):
        """The last lines the server and the worker wrote (site.log), for a failing wait's message."""
        log = self.var / "site.log"
        if not log.exists():
            return "(no site.log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def sent_mail(self):
        """Every message the site has sent (the file e-mail backend writes one file per connection)."""
        folder = self.var / "mail"
        return "\n".join(p.read_text(errors="replace") for p in sorted(folder.glob("*"))) if folder.exists() else ""

    def stop(self):
        if self.probe is not None and self.probe.poll() is None:
            self.probe.stdin.close()
            try:
                self.probe.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.probe.kill()
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        if self.drop_db:
            subprocess.run(self.drop_db, capture_output=True)


def start_site(var: Path) -> Site:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings", VAR_DIR=str(var), DEBUG="1", Q_WORKERS="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(var / "mail"),
        PYTHONUNBUFFERED="1",
    )
    drop_db = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"browser_{os.getpid()}"
        admin = _postgres_admin(url)
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True, capture_output=True)
        drop_db = [*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"]
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    else:
        env.pop("DATABASE_URL", None)
    site = Site(url="", env=env, var=var, procs=[], drop_db=drop_db)
    site.manage("migrate", "--noinput", timeout=300)
    site.manage("seed_demo", "--invoices", "200", timeout=300)
    port = free_port()
    site.url = f"http://127.0.0.1:{port}"
    log = open(var / "site.log", "ab")
    for cmd in (["runserver", f"127.0.0.1:{port}", "--noreload"], ["qcluster"]):
        site.procs.append(subprocess.Popen([sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))
    # Generous: on a loaded 2-core machine runserver's start-up competes with the rest of the suite.
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(site.url + "/admin/login/", timeout=5)
            return site
        except OSError:
            if time.monotonic() > deadline or any(proc.poll() is not None for proc in site.procs):
                tail = site.log_tail()
                site.stop()
                raise AssertionError(f"the site's login page did not answer within 180 s (or a process exited); "
                                     f"last lines of {var / 'site.log'}:\n{tail}")
            time.sleep(0.3)
