import json
import os
import subprocess
import sys
import unittest

from ..canonical_json import canonical_json
from ..policy import CATALOGUE, OPERATORS, PolicyError, content_hash, evaluate, evaluate_or_raise
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract, policy_vector_files

LIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestPolicyVectors(unittest.TestCase):
    def test_every_vector_byte_for_byte(self):
        count = 0
        for path in policy_vector_files():
            with open(path, encoding="utf-8") as handle:
                cases = json.load(handle)["cases"]
            for case in cases:
                with self.subTest(file=os.path.basename(path), case=case["name"]):
                    self.assertEqual(
                        canonical_json(evaluate(case["policy"], case["input"])), canonical_json(case["expected"])
                    )
                count += 1
        self.assertGreaterEqual(count, 60)

    def test_vectors_cover_every_operator_and_outcome(self):
        operators, outcomes, messages = set(), set(), set()
        for path in policy_vector_files():
            with open(path, encoding="utf-8") as handle:
                for case in json.load(handle)["cases"]:
                    rules = case["policy"].get("rules", []) if isinstance(case["policy"], dict) else []
                    for rule in rules if isinstance(rules, list) else []:
                        for condition in (rule.get("conditions") or []) if isinstance(rule, dict) else []:
                            if isinstance(condition, dict):
                                operators.add(condition.get("op"))
                    expected = case["expected"]
                    if "error" in expected:
                        messages.add(expected["error"]["message"])
                    else:
                        outcomes.add(expected["outcome"])
        self.assertLessEqual(set(OPERATORS), operators)
        self.assertEqual(outcomes, {"auto_approve", "needs_approval", "hold", "blocked"})
        self.assertGreaterEqual(len(messages), 25)

    def test_facts_catalogue_is_the_contracts(self):
        self.assertEqual(CATALOGUE, load_contract("policy", "facts.json"))

    def test_command_line_prints_the_same_lines(self):
        path = policy_vector_files()[0]
        output = subprocess.run(
            [sys.executable, os.path.join(LIB_DIR, "policy.py"), path], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        with open(path, encoding="utf-8") as handle:
            cases = json.load(handle)["cases"]
        self.assertEqual(
            output, [f"{case['name']} {canonical_json(evaluate(case['policy'], case['input']))}" for case in cases]
        )


class TestPolicyApi(unittest.TestCase):
    POLICY = {
        "format": "distribution-governance.policy/1",
        "name": "Purchasing",
        "version": 1,
        "currency": "EUR",
        "rules": [
            {
                "id": "spend",
                "sequence": 1,
                "document_type": "purchase.order",
                "conditions": [{"fact": "amount", "op": "gte", "value": "10000"}],
                "action": "hold",
                "reason": "Large spend",
            }
        ],
    }

    def test_evaluate_or_raise_raises_policy_error(self):
        with self.assertRaises(PolicyError) as caught:
            evaluate_or_raise(dict(self.POLICY, version=0), {"document_type": "purchase.order", "facts": {}})
        self.assertEqual((caught.exception.code, caught.exception.path), ("invalid_policy", "version"))

    def test_declared_content_hash_is_checked(self):
        document = dict(self.POLICY, content_hash=content_hash(self.POLICY))
        result = evaluate(document, {"document_type": "purchase.order", "facts": {"amount": "10000"}})
        self.assertEqual(result["outcome"], "hold")
        tampered = dict(document, rules=[dict(self.POLICY["rules"][0], action="require_tier")])
        result = evaluate(tampered, {"document_type": "purchase.order", "facts": {}})
        self.assertIn("error", result)

    def test_input_is_not_modified(self):
        subject = {"document_type": "purchase.order", "facts": {"amount": "12000"}}
        before = json.dumps(subject, sort_keys=True)
        evaluate(self.POLICY, subject)
        self.assertEqual(json.dumps(subject, sort_keys=True), before)
