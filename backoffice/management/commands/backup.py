from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backoffice.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent dump of the database: pg_dump (custom format) on PostgreSQL, the backup API on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Dump file to write (default: var/backups/backoffice-<time>.dump).")
        parser.add_argument("--database", default="default", help="Database alias from settings.")
        parser.add_argument("--database-url", help="Back up this database instead of a configured alias.")

    def handle(self, *args, output, database, database_url, **options):
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = settings.VAR_DIR / "backups" / f"backoffice-{stamp}.dump"
        try:
            path = backup(output, alias=database, url=database_url)
        except BackupError as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({path.stat().st_size} bytes)."))
