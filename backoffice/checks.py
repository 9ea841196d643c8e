"""Deployment checks of our own (`manage.py check --deploy`, which `serve` runs)."""
from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(Tags.caches, deploy=True)
def shared_rate_limit_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS:
        return [Warning(
            "The default cache is per process, so the portal's rate limits multiply by the number of web processes.",
            hint="Set REDIS_URL, or run with DJANGO_ENV=production to use the database cache.",
            id="backoffice.W001",
        )]
    return []
