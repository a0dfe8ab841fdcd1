"""The audit log's hash chain, in plain Python so that it is tested without Odoo.

Every entry stores its content (canonical JSON), the hash of the entry before it and its own
hash: ``sha256:`` + SHA-256 of the canonical JSON of ``{"content": ..., "previous_hash": ...}``.
Changing, inserting or deleting an entry breaks the chain at that entry or at the next one;
``verify`` walks the entries in order and reports the first break.
"""

import hashlib
import json

from .canonical_json import canonical_json

GENESIS_HASH = "sha256:" + "0" * 64


def entry_hash(previous_hash, content):
    """The hash of an entry whose content (a JSON-compatible object) follows ``previous_hash``."""
    body = canonical_json({"content": content, "previous_hash": previous_hash})
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(previous_hash, content):
    """(content as canonical JSON text, entry hash) for a new entry."""
    return canonical_json(content), entry_hash(previous_hash, content)


def verify(entries, head_hash=None):
    """Walk ``entries`` (iterable of (id, previous_hash, content_text, entry_hash), in chain order).

    Returns ``{"ok": True, "checked": n}`` or ``{"ok": False, "checked": n, "broken_id": id,
    "problem": text}`` for the first entry that does not link to the one before it or whose
    hash does not match its content. ``head_hash``, when given, is the hash the last entry must
    have (it detects entries removed from the end of the chain).
    """
    expected_previous = GENESIS_HASH
    checked = 0
    last_id = None
    for entry_id, previous_hash, content_text, stored_hash in entries:
        checked += 1
        if previous_hash != expected_previous:
            return _broken(checked, entry_id, "does not link to the entry before it (an entry was changed, removed or inserted)")
        try:
            content = json.loads(content_text)
        except (TypeError, ValueError):
            return _broken(checked, entry_id, "its content is not JSON")
        if entry_hash(previous_hash, content) != stored_hash:
            return _broken(checked, entry_id, "its content does not match its hash (the entry was changed)")
        expected_previous = stored_hash
        last_id = entry_id
    if head_hash is not None and head_hash != expected_previous:
        return _broken(checked, last_id, "the chain head does not match the last entry (entries were removed from the end)")
    return {"ok": True, "checked": checked}


def _broken(checked, entry_id, problem):
    return {"ok": False, "checked": checked, "broken_id": entry_id, "problem": problem}
