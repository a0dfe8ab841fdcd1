"""The addon's error convention (contract/api/methods.json, ``errors``).

A refusal is a plain sentence for the person who reads it, followed by its stable code in
brackets at the very end: ``"PO00012 is blocked by policy Purchasing v3: High-risk vendors are
blocked. [dg:blocked]"``. People read the sentence; RPC clients (the n8n transport) read the code
with ``CODE_AT_END``. XML-RPC carries only the message text, so the code must be in it.
"""

import re

CODE_AT_END = re.compile(r"\[(dg:[a-z_]+)\]\s*$")


def coded(code, sentence):
    """``sentence`` followed by the code ``dg:<code>``."""
    return f"{sentence} [dg:{code}]"


def code_of(message):
    """The ``dg:`` code at the end of an error message, or None."""
    match = CODE_AT_END.search(message or "")
    return match.group(1) if match else None
