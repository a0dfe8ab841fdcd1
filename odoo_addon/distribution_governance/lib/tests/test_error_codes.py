import os
import re
import unittest

from ..api_params import API
from ..errors import code_of, coded
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract

ADDON_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
# `raise UserError(coded("blocked", ...))`, `return None, AccessError(coded("not_eligible", ...))`; the
# policy evaluator's own codes come through `coded(error["code"], ...)`.
RAISED = re.compile(r"\b(\w+Error)\(\s*coded\(\s*(?:\"([a-z_]+)\"|(error\[\"code\"\]))")
EVALUATOR_CODES = re.compile(r"PolicyError\(\"([a-z_]+)\"")


def addon_sources():
    for folder, _dirs, files in os.walk(ADDON_DIR):
        if os.sep + "tests" in folder[len(ADDON_DIR):]:
            continue
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as handle:
                    yield os.path.relpath(path, ADDON_DIR), handle.read()


class TestErrorCodes(unittest.TestCase):
    """Every [dg:…] code the addon raises is in the contract, always with the same exception class."""

    def raised(self):
        found = {}
        with open(os.path.join(ADDON_DIR, "lib", "policy.py"), encoding="utf-8") as handle:
            evaluator_codes = set(EVALUATOR_CODES.findall(handle.read()))
        self.assertEqual(evaluator_codes, {"invalid_policy", "invalid_input"})
        for path, text in addon_sources():
            for error_class, code, dynamic in RAISED.findall(text):
                for one in (evaluator_codes if dynamic else [code]):
                    found.setdefault(f"dg:{one}", set()).add((error_class, path))
        return found

    def test_raised_codes_are_the_contracts_with_one_class_each(self):
        listed = {code: text.split(":", 1)[0].rsplit(".", 1)[-1] for code, text in API["errors"]["codes"].items()}
        raised = self.raised()
        self.assertGreater(len(raised), 10)
        for code, places in sorted(raised.items()):
            classes = {error_class for error_class, _path in places}
            self.assertIn(code, listed, f"{code} raised in {sorted(places)} is not in contract/api/methods.json")
            self.assertEqual(classes, {listed[code]}, f"{code} is raised as {sorted(places)}")
        self.assertEqual(sorted(set(listed) - set(raised)), [], "codes listed in the contract but never raised")

    def test_no_code_is_written_by_hand(self):
        for path, text in addon_sources():
            if path != os.path.join("lib", "errors.py"):
                self.assertNotIn("[dg:", text, f"{path}: write codes with lib.errors.coded")

    def test_the_code_follows_the_sentence(self):
        message = coded("blocked", "PO00012 is blocked by policy Purchasing v3: High-risk vendors are blocked")
        self.assertEqual(message, "PO00012 is blocked by policy Purchasing v3: High-risk vendors are blocked [dg:blocked]")
        self.assertEqual(code_of(message), "dg:blocked")
        self.assertIsNone(code_of("[dg:blocked] at the start is the old form"))
        self.assertIsNone(code_of(None))


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestErrorMessageVectors(unittest.TestCase):
    """contract/vectors/error-messages.json: what Odoo writes is what the n8n transport reads."""

    def test_coded_messages_match_the_shared_vectors(self):
        vectors = load_contract("vectors", "error-messages.json")
        for case in vectors["cases"]:
            with self.subTest(case["name"]):
                self.assertEqual(coded(case["code"], case["sentence"]), case["message"])
                self.assertEqual(code_of(case["message"]), "dg:" + case["code"])
        for case in vectors["not_codes"]:
            with self.subTest(case["name"]):
                self.assertIsNone(code_of(case["message"]))
