from django.core.management.base import BaseCommand, CommandError

from backoffice.backup import BackupError, database_settings, restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a dump written by `backup`. Stop the web and worker processes "
        "first; restoring into a new, empty database is the safest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Dump file written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="Database alias from settings.")
        parser.add_argument("--database-url", help="Restore into this database instead of a configured alias.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, path, database, database_url, interactive, **options):
        name = database_settings(alias=database, url=database_url)["NAME"]
        if interactive:
            answer = input(f"This replaces every row in database {name!r} with the contents of {path}.\n"
                           "Type 'yes' to continue: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore(path, alias=database, url=database_url)
        except (BackupError, OSError) as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {name}."))
