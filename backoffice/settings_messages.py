"""For `make messages` only: every app's catalogue named in LOCALE_PATHS, so that one makemessages run from the
top writes each file's strings to its own app's catalogue and the project's templates/ to the first one
(backoffice/locale, as the runtime LOCALE_PATHS has it)."""
from backoffice.settings import *  # noqa: F401,F403
from backoffice.settings import BASE_DIR, LOCALE_PATHS

LOCALE_PATHS = LOCALE_PATHS + [BASE_DIR / app / "locale" for app in ("core", "invoices", "incidents", "portal")]
