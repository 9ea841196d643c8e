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
        procs = [
            subprocess.Popen([python, "manage.py", "qcluster"]),
            subprocess.Popen([python, "manage.py", "runserver", addr, "--noreload"]),
        ]
        self.stdout.write(self.style.SUCCESS(f"\nAdmin: http://{addr}/admin/   API docs: http://{addr}/api/docs/"))
        for username, group, name, _su in DEMO_USERS:
            self.stdout.write(f"  login {username:<9} password {DEMO_PASSWORD}   ({group or 'superuser'}, {name})")
        self.stdout.write("Ctrl-C stops the server and the worker.\n")
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
