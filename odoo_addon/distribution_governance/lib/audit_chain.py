"""The audit log's hash chain, in plain Python so that it is tested without Odoo.

Format ``dg-audit/2`` (contract/AUDIT.md). Every entry stores the hash of the entry before it
and its own hash: ``sha256:`` + SHA-256 of the canonical JSON of ::

    {"format": "dg-audit/2", "previous_hash": ..., "entry": {<every column in COVERED>}}

``entry`` holds every column an auditor reads from the row (what happened, who acted, on whose
behalf, when, which document, request, review, policy version, company, the content), plus
the row's id, so that changing any of them by SQL, or moving a row, breaks that row's hash.
Deleting or inserting a row breaks the link of the row after it; the chain head (the last
entry's id and hash, kept apart) finds rows removed from or added at the end.
"""

import hashlib
import json

from .canonical_json import canonical_json

FORMAT = "dg-audit/2"
GENESIS_HASH = "sha256:" + "0" * 64

# The columns of governance_audit_log the hash covers, as JSON values (ids as integers or
# null, times as RFC 3339 UTC text with microseconds, content as its canonical JSON text).
COVERED = (
    "id", "hash_format", "event", "summary", "create_date", "create_uid", "actor_id", "on_behalf_of_id",
    "res_model", "res_id", "request_id", "review_id", "policy_id", "company_id", "content",
)


def entry_hash(previous_hash, entry):
    """The hash of ``entry`` (a mapping with every COVERED column) following ``previous_hash``."""
    missing = [name for name in COVERED if name not in entry]
    if missing:
        raise KeyError(f"audit entry lacks covered columns {missing}")
    body = canonical_json({
        "format": FORMAT,
        "previous_hash": previous_hash,
        "entry": {name: entry[name] for name in COVERED},
    })
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def content_text(content):
    """The canonical JSON text stored in an entry's ``content`` column."""
    return canonical_json(content)


def head_value(entry_id, digest):
    """The stored chain head: the last entry's id and hash."""
    return f"{entry_id}:{digest}"


def parse_head(value):
    """(last entry id or None, last hash) of a stored chain head (a bare hash means no id)."""
    if not value:
        return None, GENESIS_HASH
    first, _sep, rest = value.partition(":")
    if first.isdigit() and rest.startswith("sha256:"):
        return int(first), rest
    return None, value


def verify(entries, head=None):
    """Walk ``entries`` (mappings with ``previous_hash``, ``entry_hash`` and every COVERED column, in
    id order) and report the first entry that is not what was sealed.

    Returns ``{"ok": True, "checked": n}`` or ``{"ok": False, "checked": n, "broken_id": id,
    "problem": text}``. ``head`` (the stored chain head, see ``head_value``) detects entries
    removed from, or added after, the end of the chain.
    """
    head_id, head_hash = parse_head(head) if head is not None else (None, None)
    expected_previous = GENESIS_HASH
    checked = 0
    last_id = None
    past_head = None
    for entry in entries:
        checked += 1
        entry_id = entry["id"]
        if entry.get("hash_format") != FORMAT:
            return _broken(checked, entry_id, f"its hash format {entry.get('hash_format')!r} is not {FORMAT}")
        if entry["previous_hash"] != expected_previous:
            where = f"entry {last_id}" if last_id is not None else "the start of the chain"
            return _broken(checked, entry_id, f"it does not link to {where} before it (this entry was inserted, "
                                              "or an entry between them was removed or changed)")
        try:
            json.loads(entry["content"])
        except (TypeError, ValueError):
            return _broken(checked, entry_id, "its content is not JSON")
        if entry_hash(entry["previous_hash"], entry) != entry["entry_hash"]:
            return _broken(checked, entry_id, "its columns do not match its hash (the entry was changed)")
        if head_id is not None and past_head is None and entry_id > head_id:
            past_head = entry_id
        expected_previous = entry["entry_hash"]
        last_id = entry_id
    if head is not None:
        if past_head is not None:
            return _broken(checked, past_head, f"it comes after the chain head (entry {head_id}): it was inserted")
        if head_hash != expected_previous or (head_id is not None and head_id != (last_id or 0)):
            return _broken(checked, last_id, "the chain head does not match the last entry "
                                             "(entries were removed from the end)")
    return {"ok": True, "checked": checked}


def _broken(checked, entry_id, problem):
    return {"ok": False, "checked": checked, "broken_id": entry_id, "problem": problem}
