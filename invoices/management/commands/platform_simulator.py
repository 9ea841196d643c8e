from django.core.management.base import BaseCommand

from invoices.platform.server import make_server


class Command(BaseCommand):
    help = (
        "Serve the simulated tax platform over HTTP on 127.0.0.1 (the http gateway's wire protocol), backed by "
        "the simulated platform's tables. Point TAX_PLATFORM=http and TAX_PLATFORM_URL=http://127.0.0.1:PORT at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port, **options):
        server = make_server(port=port)
        host, bound = server.server_address[:2]
        self.stdout.write(self.style.SUCCESS(f"Simulated tax platform on http://{host}:{bound}/ (Ctrl-C stops it)"))
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
