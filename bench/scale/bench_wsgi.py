"""WSGI entry of the bench server: the site plus the reference views of bench_urls."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.scale.bench_urls"
