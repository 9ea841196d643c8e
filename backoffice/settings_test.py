"""Test settings: the same as production-like development, with tasks run inline and fast hashing."""
from backoffice.settings import *  # noqa: F401,F403
from backoffice.settings import Q_CLUSTER

Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
