import unittest

from ..canonical_json import NonCanonicalNumber, NonCanonicalString, canonical_json
from ..policy import content_hash
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestCanonicalJsonVectors(unittest.TestCase):
    def setUp(self):
        self.vectors = load_contract("vectors", "canonical-json.json")

    def test_canonical_bytes(self):
        for case in self.vectors["cases"]:
            with self.subTest(case=case["name"]):
                self.assertEqual(canonical_json(case["value"]), case["canonical"])

    def test_non_canonical_numbers_refused(self):
        for case in self.vectors["non_canonical"]:
            with self.subTest(case=case["name"]), self.assertRaises(NonCanonicalNumber):
                canonical_json(case["value"])

    def test_lone_surrogates_refused(self):
        for case in self.vectors["non_canonical_strings"]:
            with self.subTest(case=case["name"]), self.assertRaises(NonCanonicalString):
                canonical_json(case["value"])

    def test_content_hashes(self):
        for case in self.vectors["content_hashes"]:
            with self.subTest(case=case["name"]):
                self.assertEqual(content_hash(case["document"]), case["content_hash"])
