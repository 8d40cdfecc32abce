"""The client's address, as seen through the clinic's load balancer."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appending to X-Forwarded-For, the
    client is the entry that many places from the end; anything before it was written
    by the client and is not trusted. With no proxies, it is the socket's address.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if hops and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR", "")
