import unittest

from ..audit_chain import COVERED, FORMAT, GENESIS_HASH, entry_hash, head_value, parse_head, verify


def make_entry(entry_id, previous, **columns):
    entry = {name: None for name in COVERED}
    entry.update({"id": entry_id, "hash_format": FORMAT, "event": "decision", "summary": f"entry {entry_id}",
                  "create_date": "2026-11-29T10:00:00.000000Z", "create_uid": 2, "actor_id": 7,
                  "content": '{"n":%d}' % entry_id}, **columns)
    entry["previous_hash"] = previous
    entry["entry_hash"] = entry_hash(previous, entry)
    return entry


def build_chain(count):
    entries, previous = [], GENESIS_HASH
    for entry_id in range(1, count + 1):
        entry = make_entry(entry_id, previous)
        entries.append(entry)
        previous = entry["entry_hash"]
    return entries, head_value(count, previous)


class TestAuditChain(unittest.TestCase):
    def setUp(self):
        self.entries, self.head = build_chain(5)

    def test_intact_chain_verifies(self):
        self.assertEqual(verify(self.entries, self.head), {"ok": True, "checked": 5})
        self.assertEqual(verify([], GENESIS_HASH), {"ok": True, "checked": 0})

    def test_hash_covers_every_column(self):
        base = make_entry(3, GENESIS_HASH)
        self.assertRegex(base["entry_hash"], r"^sha256:[0-9a-f]{64}$")
        for name in COVERED:
            changed = dict(base, **{name: "something else" if name != "id" else 4})
            self.assertNotEqual(entry_hash(GENESIS_HASH, changed), base["entry_hash"], name)
        with self.assertRaises(KeyError):
            entry_hash(GENESIS_HASH, {"id": 1})

    def test_each_changed_column_is_named(self):
        for name in COVERED:
            if name == "id":
                continue
            entries, head = build_chain(5)
            entries[2] = dict(entries[2], **{name: '{"n":99}' if name == "content" else 42})
            result = verify(entries, head)
            self.assertEqual(result["broken_id"], 3, name)
            self.assertFalse(result["ok"])

    def test_rehashed_entry_breaks_the_next_link(self):
        self.entries[1] = make_entry(2, self.entries[0]["entry_hash"], summary="forged")
        result = verify(self.entries, self.head)
        self.assertEqual(result["broken_id"], 3)
        self.assertIn("entry 2", result["problem"])

    def test_removed_entries_are_found(self):
        del self.entries[2]
        self.assertEqual(verify(self.entries, self.head)["broken_id"], 4)
        entries, head = build_chain(5)
        truncated = verify(entries[:2], head)
        self.assertEqual((truncated["ok"], truncated["broken_id"]), (False, 2))
        self.assertIn("removed from the end", truncated["problem"])

    def test_inserted_entries_are_named(self):
        forged = make_entry(6, self.entries[-1]["entry_hash"], summary="appended by SQL")
        result = verify(self.entries + [forged], self.head)
        self.assertEqual((result["ok"], result["broken_id"]), (False, 6))
        self.assertIn("inserted", result["problem"])
        copied = dict(self.entries[1], id=6)
        self.assertEqual(verify(self.entries + [copied], self.head)["broken_id"], 6)

    def test_unknown_format_and_unparseable_content_are_found(self):
        self.assertEqual(verify([dict(self.entries[0], hash_format="dg-audit/1")])["broken_id"], 1)
        self.assertEqual(verify([dict(self.entries[0], content="not json")])["broken_id"], 1)

    def test_head_value_round_trips(self):
        self.assertEqual(parse_head(head_value(12, GENESIS_HASH)), (12, GENESIS_HASH))
        self.assertEqual(parse_head(GENESIS_HASH), (None, GENESIS_HASH))
        self.assertEqual(parse_head(None), (None, GENESIS_HASH))


if __name__ == "__main__":
    unittest.main()
