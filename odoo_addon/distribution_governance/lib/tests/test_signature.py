import base64
import os
import subprocess
import sys
import unittest

from .. import signature
from .common import HAS_CONTRACT, NO_CONTRACT_REASON, load_contract

LIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@unittest.skipUnless(HAS_CONTRACT, NO_CONTRACT_REASON)
class TestSignatureVectors(unittest.TestCase):
    def setUp(self):
        self.vectors = load_contract("vectors", "signature.json")

    def test_sign(self):
        for case in self.vectors["sign"]:
            with self.subTest(case=case["name"]):
                header = signature.signature_header(case["secrets"], case["id"], case["timestamp"], case["body"])
                self.assertEqual(header, case["expected"])

    def test_verify(self):
        self.assertGreaterEqual(len(self.vectors["sign"]) + len(self.vectors["verify"]), 10)
        for case in self.vectors["verify"]:
            with self.subTest(case=case["name"]):
                try:
                    signature.verify(case["secrets"], case["headers"], case["body"], now=case["now"])
                    verdict = {"valid": True}
                except signature.SignatureError as error:
                    verdict = {"valid": False, "error": error.code}
                self.assertEqual(verdict, case["expected"])


class TestSignatureApi(unittest.TestCase):
    def test_generated_secret_round_trips(self):
        secret = signature.generate_secret()
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(len(base64.b64decode(secret[6:])), 32)
        headers = signature.signed_headers([secret], "evt_1", 1700000000, b'{"a":1}')
        signature.verify(secret, headers, b'{"a":1}', now=1700000000)
        self.assertNotEqual(signature.generate_secret(), secret)

    def test_bytes_and_text_bodies_sign_alike(self):
        secret = signature.generate_secret()
        self.assertEqual(
            signature.sign(secret, "m", 1, "Stück"), signature.sign(secret, "m", 1, "Stück".encode("utf-8"))
        )

    def test_command_line_sign_then_verify(self):
        secret = signature.generate_secret()
        script = os.path.join(LIB_DIR, "signature.py")
        body = '{"ok":true}'.encode("utf-8")
        header = subprocess.run(
            [sys.executable, script, "sign", secret, "evt_9", "1700000000"], input=body, capture_output=True, check=True
        ).stdout.decode().strip()
        verdict = subprocess.run(
            [sys.executable, script, "verify", secret, "evt_9", "1700000000", header, "1700000100"],
            input=body,
            capture_output=True,
        )
        self.assertEqual((verdict.returncode, verdict.stdout.decode().strip()), (0, "valid"))
        verdict = subprocess.run(
            [sys.executable, script, "verify", secret, "evt_9", "1700000000", header, "1700000100"],
            input=b'{"ok":false}',
            capture_output=True,
        )
        self.assertEqual((verdict.returncode, verdict.stdout.decode().strip()), (1, "no_matching_signature"))
