"""Standard Webhooks signatures (https://www.standardwebhooks.com/), the contract's scheme.

``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, secrets ``whsec_<base64>``,
a tolerance of five minutes either way. Several space-separated signatures may stand in one
header, which is how a rotated secret keeps working during its grace period. Plain Python,
pinned by contract/vectors/signature.json together with nodes/shared/signature.ts.
"""

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _secrets
import sys
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
_TIMESTAMP_RE = re.compile(r"^(0|[1-9][0-9]{0,14})$")


class SignatureError(ValueError):
    """Verification failed; ``code`` is one of the contract's error codes."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def generate_secret():
    """A fresh ``whsec_`` secret holding 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode("ascii")


def secret_key(secret):
    """The HMAC key of a ``whsec_`` secret; SignatureError('invalid_secret') when malformed."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise SignatureError("invalid_secret", "the secret must start with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("invalid_secret", "the secret is not valid base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise SignatureError("invalid_secret", f"the secret must hold {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes")
    return key


def _as_bytes(body):
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sign(secret, msg_id, timestamp, body):
    """``v1,<base64 signature>`` of one message under one secret."""
    content = f"{msg_id}.{int(timestamp)}.".encode("utf-8") + _as_bytes(body)
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets, msg_id, timestamp, body):
    """The ``webhook-signature`` value: one signature per secret, space-separated."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def signed_headers(secrets, msg_id, timestamp, body):
    """The three Standard Webhooks headers for a delivery."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
    }


def verify(secrets, headers, body, now=None):
    """Check a delivery; returns None or raises SignatureError with the contract's code.

    ``secrets`` is one secret or a list (any may match); header names are case-insensitive.
    """
    if isinstance(secrets, str):
        secrets = [secrets]
    keys = [secret_key(secret) for secret in secrets]
    lowered = {str(name).lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise SignatureError("missing_headers", "webhook-id, webhook-timestamp and webhook-signature are required")
    if not _TIMESTAMP_RE.match(timestamp):
        raise SignatureError("invalid_timestamp", "webhook-timestamp must be whole seconds since the epoch")
    now = int(time.time()) if now is None else int(now)
    if now - int(timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp_too_old", "webhook-timestamp is more than 5 minutes old")
    if int(timestamp) - now > TOLERANCE_SECONDS:
        raise SignatureError("timestamp_too_new", "webhook-timestamp is more than 5 minutes in the future")
    content = f"{msg_id}.{timestamp}.".encode("utf-8") + _as_bytes(body)
    expected = [base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()) for key in keys]
    for versioned in signatures.split(" "):
        version, _, signature = versioned.partition(",")
        if version != "v1":
            continue
        candidate = signature.encode("ascii", "replace")
        if any(hmac.compare_digest(candidate, digest) for digest in expected):
            return None
    raise SignatureError("no_matching_signature", "no signature in webhook-signature matches")


def main(argv):
    """``signature.py sign SECRET ID TIMESTAMP`` prints the signature header for the body on stdin;
    ``signature.py verify SECRET[,SECRET] ID TIMESTAMP SIGNATURE NOW`` prints ``valid`` or the error code."""
    body = sys.stdin.buffer.read()
    if len(argv) == 4 and argv[0] == "sign":
        print(signature_header(argv[1].split(","), argv[2], int(argv[3]), body))
        return 0
    if len(argv) == 6 and argv[0] == "verify":
        headers = {"webhook-id": argv[2], "webhook-timestamp": argv[3], "webhook-signature": argv[4]}
        try:
            verify(argv[1].split(","), headers, body, now=int(argv[5]))
        except SignatureError as error:
            print(error.code)
            return 1
        print("valid")
        return 0
    sys.stderr.write("usage: signature.py sign SECRETS ID TS | signature.py verify SECRETS ID TS SIGNATURE NOW\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
