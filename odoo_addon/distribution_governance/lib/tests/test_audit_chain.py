import unittest

from ..audit_chain import GENESIS_HASH, entry_hash, seal, verify


def build_chain(contents):
    entries, previous = [], GENESIS_HASH
    for index, content in enumerate(contents, start=1):
        text, digest = seal(previous, content)
        entries.append((index, previous, text, digest))
        previous = digest
    return entries, previous


class TestAuditChain(unittest.TestCase):
    def setUp(self):
        self.entries, self.head = build_chain([{"event": "request", "n": n, "who": "alice"} for n in range(5)])

    def test_intact_chain_verifies(self):
        self.assertEqual(verify(self.entries, self.head), {"ok": True, "checked": 5})
        self.assertEqual(verify([], GENESIS_HASH), {"ok": True, "checked": 0})

    def test_hash_is_over_canonical_content(self):
        self.assertEqual(entry_hash(GENESIS_HASH, {"b": 1, "a": "x"}), entry_hash(GENESIS_HASH, {"a": "x", "b": 1}))
        self.assertNotEqual(entry_hash(GENESIS_HASH, {"a": "x"}), entry_hash(GENESIS_HASH, {"a": "y"}))
        self.assertRegex(entry_hash(GENESIS_HASH, {}), r"^sha256:[0-9a-f]{64}$")

    def test_changed_content_is_found(self):
        entry_id, previous, _text, digest = self.entries[2]
        self.entries[2] = (entry_id, previous, '{"event":"request","n":2,"who":"mallory"}', digest)
        result = verify(self.entries, self.head)
        self.assertFalse(result["ok"])
        self.assertEqual(result["broken_id"], 3)
        self.assertIn("changed", result["problem"])

    def test_rehashed_entry_breaks_the_next_link(self):
        entry_id, previous, _text, _digest = self.entries[1]
        text, digest = seal(previous, {"event": "request", "n": 1, "who": "mallory"})
        self.entries[1] = (entry_id, previous, text, digest)
        self.assertEqual(verify(self.entries, self.head)["broken_id"], 3)

    def test_removed_entries_are_found(self):
        del self.entries[2]
        self.assertEqual(verify(self.entries, self.head)["broken_id"], 4)
        truncated = verify(self.entries[:2], self.head)
        self.assertFalse(truncated["ok"])
        self.assertEqual(truncated["broken_id"], 2)

    def test_unparseable_content_is_found(self):
        entry_id, previous, _text, digest = self.entries[0]
        self.entries[0] = (entry_id, previous, "not json", digest)
        self.assertEqual(verify(self.entries)["broken_id"], 1)


if __name__ == "__main__":
    unittest.main()
