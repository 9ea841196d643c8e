"""The site under test: a fresh database with the demo data, `runserver` and the django-q2 worker, each in its own
process, exactly as `make run` starts them. Nothing here touches the test database of the rest of the suite."""
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

    def manage(self, *args, timeout=120):
        """Run a management command against the site's database and return its stdout."""
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code):
        """Run Python in the site's Django (`manage.py shell -c`); the last line it prints comes back (start-up
        banners such as django-axes' come first)."""
        lines = self.manage("shell", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""

    def sent_mail(self):
        """Every message the site has sent (the file e-mail backend writes one file per connection)."""
        folder = self.var / "mail"
        return "\n".join(p.read_text(errors="replace") for p in sorted(folder.glob("*"))) if folder.exists() else ""

    def stop(self):
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
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(site.url + "/admin/login/", timeout=2)
            return site
        except OSError:
            if time.monotonic() > deadline:
                site.stop()
                raise AssertionError("the site did not answer within 60 s; see " + str(var / "site.log"))
            time.sleep(0.3)
