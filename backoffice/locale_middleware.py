"""The desk speaks Chinese unless its user chose English with the language switch (the language cookie): an English
browser does not turn a Beijing service desk's login or pages into English. The API still follows Accept-Language,
so a client asks for English messages there as before."""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Paths that answer programs, not people at the desk: the request's Accept-Language decides there.
ACCEPT_LANGUAGE_PATHS = ("/api/",)


class DeskLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith(ACCEPT_LANGUAGE_PATHS):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
