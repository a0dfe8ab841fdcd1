"""Posting one signed delivery to a receiver over HTTP, with a reused connection per thread.

A ``requests.Session`` keeps connections alive between deliveries to the same receiver; it is
not thread-safe, so every dispatcher thread has its own. Every request has a timeout and never
follows redirects (a redirect is a failed delivery: the receiver must answer 2xx itself).
"""

import http.client
import ipaddress
import socket
import threading
import time
from collections import namedtuple
from urllib.parse import urlsplit

import requests

# How much of a receiver's answer is kept for the delivery log.
ANSWER_SNIPPET_BYTES = 500

Result = namedtuple("Result", "status latency_ms error")

# Cloud instance-metadata services: never a destination, whatever the settings say.
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    "metadata.azure.com", "metadata.packet.net",
})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(address) for address in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "fd00:ec2::254",
))


class DestinationRefused(ValueError):
    """A subscription URL points where deliveries must not go; the message says why."""


def check_destination(url, allow_private=False, allow_loopback=True, resolve=socket.getaddrinfo):
    """Refuse ``url`` unless every address its host resolves to may receive deliveries.

    Link-local (169.254.0.0/16, fe80::/10), cloud-metadata and non-unicast addresses are refused
    always; loopback only when ``allow_loopback``; other non-public addresses (10/8, 172.16/12,
    192.168/16, 100.64/10, fc00::/7...) only when ``allow_private``. The host is resolved the way
    the HTTP client will resolve it (so ``http://2130706433/`` is 127.0.0.1). A host that does not
    resolve (now) passes: the delivery itself fails, and the check runs again before each attempt.
    Returns the addresses checked.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DestinationRefused(f"is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("must start with http:// or https://")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise DestinationRefused("has no host")
    if host in METADATA_HOSTS:
        raise DestinationRefused(f"{host} is a cloud metadata service")
    try:
        infos = resolve(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        shown = host if host == str(address) else f"{host} resolves to {address}, which"
        if address in METADATA_ADDRESSES or address.is_link_local:
            raise DestinationRefused(f"{shown} is a link-local or cloud metadata address")
        if address.is_loopback:
            if not allow_loopback:
                raise DestinationRefused(f"{shown} is a loopback address (not allowed by the setting "
                                         "distribution_governance.allow_loopback_urls)")
        elif address.is_unspecified or address.is_multicast or address.is_reserved:
            raise DestinationRefused(f"{shown} is not a unicast address")
        elif not address.is_global and not allow_private:
            raise DestinationRefused(f"{shown} is a private-network address (an administrator may allow "
                                     "these with the setting distribution_governance.allow_private_urls)")
        addresses.append(address)
    return addresses

_local = threading.local()


def session():
    """This thread's HTTP session."""
    current = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
    return current


def post(url, body, headers, timeout):
    """POST ``body``; a Result with the HTTP status (None when no answer came), latency and error.

    A kept-alive connection that the receiver closes just as a request goes out (Node's servers
    close idle ones after 5 s) fails without an answer; the request is then sent once more on a
    new connection instead of waiting out a retry. A delivery is safe to repeat: the receiver
    claims each event id once.
    """
    started = time.monotonic()
    for attempt in (1, 2):
        try:
            return _post_once(url, body, headers, timeout, started)
        except requests.Timeout:
            return Result(None, _since(started), f"timeout: no answer within {timeout} s")
        except requests.ConnectionError as error:
            if attempt == 1 and _dropped(error):
                session().close()
                continue
            return Result(None, _since(started), f"connection failed: {_reason(error)}")
        except requests.RequestException as error:
            return Result(None, _since(started), f"request failed: {_reason(error)}")


def _post_once(url, body, headers, timeout, started):
    with session().post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                        stream=True) as response:
        snippet = response.raw.read(ANSWER_SNIPPET_BYTES + 1, decode_content=True) or b""
        latency = _since(started)
        if 200 <= response.status_code < 300:
            return Result(response.status_code, latency, None)
        text = snippet[:ANSWER_SNIPPET_BYTES].decode("utf-8", "replace").strip()
        return Result(response.status_code, latency, f"HTTP {response.status_code}" + (f": {text}" if text else ""))


def _since(started):
    return round((time.monotonic() - started) * 1000)


def _dropped(error):
    """Whether the connection broke after it was established (not refused, unresolved or TLS)."""
    cause = error
    while cause is not None:
        if isinstance(cause, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _reason(error):
    """The innermost cause of a requests error, which names what went wrong (refused, DNS, TLS)."""
    cause = error
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__
    return str(cause)[:300] or error.__class__.__name__
