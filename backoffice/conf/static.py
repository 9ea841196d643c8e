"""Static files, served by whitenoise from gunicorn; in production with hashed, pre-compressed names (`collectstatic`
must have run, `make serve` does it)."""
from pathlib import Path

from .environment import PRODUCTION, VAR_DIR

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
STORAGES = {
    # Uploads and invoice files (MEDIA_ROOT, conf/uploads.py); a deployment may point it at S3-compatible storage.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
