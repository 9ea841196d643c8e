"""Test settings: the same as production-like development, with tasks run inline and fast hashing."""
import os
from pathlib import Path

# Each pytest-xdist worker (gw0, gw1, ...; "main" without xdist) gets a var/ of its own (file caches, media, mail),
# so parallel workers never share a file; pytest-django gives each worker its own database (test_<name>_gw0).
os.environ["VAR_DIR"] = str(Path(__file__).resolve().parent.parent / "var" / "test"
                            / os.environ.get("PYTEST_XDIST_WORKER", "main"))

from backoffice.settings import *  # noqa: E402,F401,F403
from backoffice.settings import Q_CLUSTER  # noqa: E402

Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
