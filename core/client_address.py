"""Who is knocking: the client address behind a known number of proxies (login throttling, portal rate limits)."""
from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or the address the outermost trusted proxy saw when TRUSTED_PROXY_COUNT proxies sit in front.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the last
    TRUSTED_PROXY_COUNT entries can be believed; anything left of them was written by the client.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    return hops[-count]
