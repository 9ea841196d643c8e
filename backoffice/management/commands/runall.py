import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from backoffice.demo_users import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Run the web server and the django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        python = sys.executable
        self.procs = [
            subprocess.Popen([python, "manage.py", "qcluster"]),
            subprocess.Popen([python, "manage.py", "runserver", addr, "--noreload"]),
        ]
        self.stdout.write(self.style.SUCCESS(f"\nAdmin: http://{addr}/admin/   API docs: http://{addr}/api/docs/"))
        for username, group, name, _su in DEMO_USERS:
            self.stdout.write(f"  login {username:<9} password {DEMO_PASSWORD}   ({group or 'superuser'}, {name})")
        self.stdout.write("Ctrl-C stops the server and the worker.\n")
        self.supervise()

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
            if p.poll() is None:
                p.terminate()
        raise KeyboardInterrupt

    def _stop(self):
        deadline = time.monotonic() + 15
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
