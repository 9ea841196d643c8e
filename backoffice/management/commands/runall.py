import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from backoffice.demo_users import DEMO_PASSWORD, DEMO_USERS

# Project code whose change may change what migrate and seed_demo write (the demo template's key).
PROJECT_APPS = ("core", "invoices", "incidents", "portal", "backoffice")
# Copies of a freshly migrated and seeded SQLite database, so the next fresh start (a new clone, a deleted
# var/) copies one instead of migrating and seeding. Outside the checkout, like pip's cache; empty turns it off.
DEMO_CACHE = os.environ.get("BACKOFFICE_DEMO_CACHE",
                            str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "invoice-backoffice"))
TEMPLATES_KEPT = 3

# Installed packages whose migrations the project's database carries (a new version may bring new ones).
MIGRATING_PACKAGES = ("Django", "django-q2", "django-axes", "django-simple-history", "djangorestframework")


def migrations_key():
    """A hash of every migration the project could apply: its own migration files and the versions of the packages
    that ship the others. Equal keys mean `migrate` has nothing to do."""
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR).glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0" + path.read_bytes())
    for package in MIGRATING_PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def demo_template_key():
    """Equal keys mean a template holds what migrate + seed_demo would write now: the same migrations, the same
    project code, and the same day (the demo's 90 days of history, due dates and follow-ups count from today)."""
    from django.utils import timezone

    digest = hashlib.sha256(migrations_key().encode())
    for app in PROJECT_APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0" + path.read_bytes())
    digest.update(timezone.localdate().isoformat().encode())
    return digest.hexdigest()[:20]


class Command(BaseCommand):
    help = ("Run the web server and the django-q2 worker together; Ctrl-C stops both. With --demo (make run): migrate "
            "and load the demo data first, the web server answering as soon as the logins exist.")
    stop_grace = 3.0  # seconds the children get to stop after Ctrl-C before they are terminated, then killed

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--demo", action="store_true",
                            help="migrate and seed the demo data (users first, then the rest while the server runs)")

    def handle(self, *args, addr, demo, **options):
        self.procs = []
        self.started = time.monotonic()
        python = sys.executable
        try:
            template = self.demo_template() if demo else None
            if template and template.exists():
                self.phase(f"copy the migrated and seeded demo database ({template})", lambda: self.copy(template))
            if demo:
                self.phase("migrate", self.migrate)
                from backoffice.management.commands.seed_demo import seed_demo_data, seed_demo_users

                users = self.phase("demo logins", seed_demo_users)
            # The parent has run the checks (migrate does); the server need not run them again.
            self.procs.append(self.spawn([python, "manage.py", "runserver", addr, "--noreload", "--skip-checks"]))
            self.announce_when_up(addr)
            if demo:
                self.phase("demo data", lambda: seed_demo_data(users, lambda text: None))
            if template and not template.exists():
                self.phase("save the demo database for the next fresh start", lambda: self.save(template))
            # The worker starts once the demo data is written, so it never races the seed.
            self.procs.append(self.spawn([python, "manage.py", "qcluster"]))
        except KeyboardInterrupt:
            self._stop()
            return
        self.stdout.write(self.style.SUCCESS(f"\nAdmin: http://{addr}/admin/   API docs: http://{addr}/api/docs/"))
        for username, group, name, _su in DEMO_USERS:
            self.stdout.write(f"  login {username:<9} password {DEMO_PASSWORD}   ({group or 'superuser'}, {name})")
        self.stdout.write("Ctrl-C stops the server and the worker.\n")
        self.supervise()

    @staticmethod
    def spawn(argv):
        """A child in a process group of its own: stopping it reaches its own children too (the worker's
        processes), and this command decides when each gets which signal."""
        return subprocess.Popen(argv, start_new_session=True)

    def phase(self, name, work):
        began = time.monotonic()
        result = work()
        self.stdout.write(f"{name}: {time.monotonic() - began:.1f} s")
        return result

    def demo_template(self):
        """The template for a fresh SQLite database (none there yet), or None."""
        database = settings.DATABASES["default"]
        if not DEMO_CACHE or connection.vendor != "sqlite" or Path(database["NAME"]).exists():
            return None
        return Path(DEMO_CACHE) / f"demo-{demo_template_key()}.sqlite3"

    def copy(self, template):
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copyfile(template, partial)
        partial.rename(target)

    def save(self, template):
        """SQLite's backup API: a consistent copy while the web server runs; written aside, then renamed."""
        import sqlite3

        template.parent.mkdir(parents=True, exist_ok=True)
        partial = template.with_suffix(".partial")
        source, copy = sqlite3.connect(settings.DATABASES["default"]["NAME"]), sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.rename(template)
        for old in sorted(template.parent.glob("demo-*.sqlite3"), key=lambda p: p.stat().st_mtime)[:-TEMPLATES_KEPT]:
            old.unlink(missing_ok=True)

    def migrate(self):
        """`migrate`, skipped when the SQLite file was migrated with exactly these migrations (var/cache/migrated)."""
        stamp = Path(settings.VAR_DIR) / "cache" / "migrated"
        database = settings.DATABASES["default"]
        sqlite = connection.vendor == "sqlite"
        key = f"{database['NAME']}\n{migrations_key()}"
        if sqlite and Path(database["NAME"]).exists() and stamp.exists() and stamp.read_text() == key:
            return
        call_command("migrate", interactive=False, verbosity=0)
        if sqlite:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(key)

    def announce_when_up(self, addr):
        """Print once the login page answers (how long `make run` took to be usable)."""
        def poll():
            while self.procs and self.procs[0].poll() is None:
                try:
                    urllib.request.urlopen(f"http://{addr}/admin/login/", timeout=2)
                except OSError:
                    time.sleep(0.2)
                    continue
                self.stdout.write(self.style.SUCCESS(
                    f"login page answers at http://{addr}/admin/login/ ({time.monotonic() - self.started:.1f} s "
                    "after start)"))
                return

        threading.Thread(target=poll, daemon=True).start()

    def supervise(self):
        """Wait until a child exits or we are told to stop, then stop them all (the `serve` command reuses it)."""
        # Ctrl-C reaches every process of the terminal's group, so on SIGINT the children are already
        # stopping and a second signal would interrupt their clean shutdown. A TERM sent to this process
        # alone (a supervisor, `kill`) is passed on.
        signal.signal(signal.SIGTERM, self._forward_term)
        try:
            while all(p.poll() is None for p in self.procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop()

    def _forward_term(self, signum, frame):
        for p in self.procs:
            self._signal(p, signal.SIGTERM)
        raise KeyboardInterrupt

    @staticmethod
    def _signal(p, signum, *, own_group_only=False):
        """Signal a child, and its whole process group when it leads one (children of spawn())."""
        if p.poll() is not None:
            return
        try:
            if os.getpgid(p.pid) == p.pid:
                os.killpg(p.pid, signum)
            elif not own_group_only:
                p.send_signal(signum)
        except ProcessLookupError:
            pass

    def _stop(self):
        """Ctrl-C (SIGINT) to the children in groups of their own (those in ours had it from the terminal), then
        stop_grace seconds to finish, then TERM, then KILL: with runall's 3 s, all gone within 5 s."""
        for p in self.procs:
            self._signal(p, signal.SIGINT, own_group_only=True)
        deadline = time.monotonic() + getattr(self, "stop_grace", 15)
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                self._signal(p, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._signal(p, signal.SIGKILL)
                p.wait()
