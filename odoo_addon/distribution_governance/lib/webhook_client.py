"""Posting one signed delivery to a receiver over HTTP, with a reused connection per thread.

A ``requests.Session`` keeps connections alive between deliveries to the same receiver; it is
not thread-safe, so every dispatcher thread has its own. Every request has a timeout and never
follows redirects (a redirect is a failed delivery: the receiver must answer 2xx itself).
"""

import threading
import time
from collections import namedtuple

import requests

# How much of a receiver's answer is kept for the delivery log.
ANSWER_SNIPPET_BYTES = 500

Result = namedtuple("Result", "status latency_ms error")

_local = threading.local()


def session():
    """This thread's HTTP session."""
    current = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
    return current


def post(url, body, headers, timeout):
    """POST ``body``; a Result with the HTTP status (None when no answer came), latency and error."""
    started = time.monotonic()
    try:
        with session().post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                            stream=True) as response:
            snippet = response.raw.read(ANSWER_SNIPPET_BYTES + 1, decode_content=True) or b""
            latency = round((time.monotonic() - started) * 1000)
            if 200 <= response.status_code < 300:
                return Result(response.status_code, latency, None)
            text = snippet[:ANSWER_SNIPPET_BYTES].decode("utf-8", "replace").strip()
            return Result(response.status_code, latency, f"HTTP {response.status_code}" + (f": {text}" if text else ""))
    except requests.Timeout:
        return Result(None, round((time.monotonic() - started) * 1000), f"timeout: no answer within {timeout} s")
    except requests.ConnectionError as error:
        return Result(None, round((time.monotonic() - started) * 1000), f"connection failed: {_reason(error)}")
    except requests.RequestException as error:
        return Result(None, round((time.monotonic() - started) * 1000), f"request failed: {_reason(error)}")


def _reason(error):
    """The innermost cause of a requests error, which names what went wrong (refused, DNS, TLS)."""
    cause = error
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__
    return str(cause)[:300] or error.__class__.__name__
