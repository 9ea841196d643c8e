import os
import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from backoffice.management.commands.runall import Command as RunAllCommand


class Command(RunAllCommand):
    stop_grace = 15.0  # gunicorn finishes the requests in flight (runall's 3 s are for development)
    help = (
        "Production: gunicorn (static files served by whitenoise) and the django-q2 worker; Ctrl-C or TERM "
        "stops both. --web-only / --worker-only split them across machines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("GUNICORN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        role = parser.add_mutually_exclusive_group()
        role.add_argument("--web-only", action="store_true", help="Run gunicorn only (no django-q2 worker).")
        role.add_argument("--worker-only", action="store_true", help="Run the django-q2 worker only.")

    def handle(self, *args, bind, workers, web_only, worker_only, **options):
        if settings.DEBUG:
            raise CommandError("serve runs production: set DJANGO_ENV=production and leave DEBUG off.")
        # Warnings of the deployment checklist are printed, not fatal, so a local trial without TLS still starts.
        call_command("check", deploy=True, stdout=self.stdout, stderr=self.stderr)
        # The database cache's table (the portal's shared rate-limit counters when REDIS_URL is not set).
        call_command("createcachetable", stdout=self.stdout, stderr=self.stderr)
        python = sys.executable
        self.procs = []
        if not worker_only:
            self._require_collected_static()
            self.procs.append(self._popen([
                python, "-m", "gunicorn", "backoffice.wsgi:application",
                "--bind", bind, "--workers", str(workers), "--access-logfile", "-",
            ]))
        if not web_only:
            self.procs.append(self._popen([python, "manage.py", "qcluster"]))
        parts = " and ".join((["gunicorn on " + bind] if not worker_only else []) + ([] if web_only else ["worker"]))
        self.stdout.write(self.style.SUCCESS(f"Serving: {parts}. Ctrl-C or TERM stops everything."))
        self.supervise()

    def _popen(self, argv):
        return subprocess.Popen(argv, cwd=settings.BASE_DIR)

    def _require_collected_static(self):
        # The manifest storage refuses to render a page whose static file was never collected; say so up front.
        manifest = getattr(staticfiles_storage, "manifest_name", None)
        if manifest and not staticfiles_storage.exists(manifest):
            raise CommandError(f"Static files are not collected in {settings.STATIC_ROOT}: run `manage.py collectstatic`.")
