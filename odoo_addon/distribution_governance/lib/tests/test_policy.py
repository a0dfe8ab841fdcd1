import json
import os
import subprocess
import sys
import unittest

from ..canonical_json import canonical_json
from ..policy import CATALOGUE, OPERATORS, PolicyError, content_hash, evaluate, evaluate_or_raise, load_json
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract, policy_vector_files

LIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_cases(path):
    """A vector file's cases, read as the command line reads them (integers of 5,000 digits included)."""
    with open(path, encoding="utf-8") as handle:
        return load_json(handle)["cases"]


def run_cli(*args, **env):
    return subprocess.run(
        [sys.executable, os.path.join(LIB_DIR, "policy.py"), *args],
        capture_output=True, check=True, env=dict(os.environ, **env),
    ).stdout.decode("utf-8").split("\n")[:-1]


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestPolicyVectors(unittest.TestCase):
    def test_every_vector_byte_for_byte(self):
        count = 0
        for path in policy_vector_files():
            for case in load_cases(path):
                with self.subTest(file=os.path.basename(path), case=case["name"]):
                    self.assertEqual(
                        canonical_json(evaluate(case["policy"], case["input"])), canonical_json(case["expected"])
                    )
                count += 1
        self.assertGreaterEqual(count, 60)

    def test_vectors_cover_every_operator_and_outcome(self):
        operators, outcomes, messages = set(), set(), set()
        for path in policy_vector_files():
            for case in load_cases(path):
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
        # Every file: strings-and-numbers.json holds integers of 5,001 digits (the old command line
        # died reading them) and non-ASCII results (printed as UTF-8 even under an ASCII locale).
        for path in policy_vector_files():
            with self.subTest(file=os.path.basename(path)):
                output = run_cli(path, LC_ALL="C", LANG="C", PYTHONIOENCODING="ascii", PYTHONUTF8="0")
                cases = load_cases(path)
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

    def test_trailing_newline_is_not_a_decimal(self):
        # "$" in a Python pattern also matches before a final newline: "10000\n" used to evaluate as 10000.
        result = evaluate(self.POLICY, {"document_type": "purchase.order", "facts": {"amount": "10000\n"}})
        self.assertEqual(result["error"]["path"], "facts.amount")

    def test_lone_surrogate_is_an_error_not_an_exception(self):
        document = dict(self.POLICY, rules=[dict(self.POLICY["rules"][0], reason="Large \ud800")])
        result = evaluate(document, {"document_type": "purchase.order", "facts": {}})
        self.assertEqual(result["error"]["path"], "rules[0].reason")
        self.assertEqual(content_hash(self.POLICY), content_hash(json.loads(json.dumps(self.POLICY))))

    def test_unmeetable_tier_is_invalid(self):
        tier = {"level": 1, "name": "Two", "approvers": [{"type": "user", "ref": "alice"}] * 2, "min_approvals": 2}
        document = dict(self.POLICY, rules=[dict(self.POLICY["rules"][0], action="require_tier", tier=tier)])
        with self.assertRaises(PolicyError) as caught:
            evaluate_or_raise(document, {"document_type": "purchase.order", "facts": {}})
        self.assertEqual((caught.exception.path, caught.exception.message), ("rules[0].tier.approvers[1]", "duplicate approver"))
