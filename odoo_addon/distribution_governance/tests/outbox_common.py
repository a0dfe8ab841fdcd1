"""Shared fixtures of the outbox tests: a real HTTP receiver on 127.0.0.1 and the TypeScript check."""

import json
import os
import shutil
import subprocess

from odoo.tests import TransactionCase, new_test_user

from ..lib import signature
from ..lib.tests.receiver import Receiver

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VERIFY_SCRIPT = os.path.join(REPO_ROOT, "scripts", "verify-deliveries.cjs")
NODE = shutil.which("node")
HAS_TYPESCRIPT_VERIFIER = bool(NODE) and os.path.isfile(VERIFY_SCRIPT) and os.path.isdir(
    os.path.join(REPO_ROOT, "node_modules", "typescript"))
NO_VERIFIER_REASON = "node, scripts/verify-deliveries.cjs or the repository's node_modules (npm ci) are missing"


def verify_with_typescript(deliveries):
    """Run scripts/verify-deliveries.cjs (the package's TypeScript verifier and the contract's
    schemas) on captured deliveries; returns its per-delivery results."""
    completed = subprocess.run([NODE, VERIFY_SCRIPT], input=json.dumps(deliveries).encode("utf-8"),
                               capture_output=True, timeout=120, cwd=REPO_ROOT, check=False)
    if not completed.stdout:
        raise AssertionError(f"verify-deliveries.cjs failed: {completed.stderr.decode()[-2000:]}")
    return json.loads(completed.stdout)


class OutboxCase(TransactionCase):
    """Users of every role, a receiver, and helpers to make subscriptions and events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        cls.manager = new_test_user(cls.env, "dg_outbox_manager", groups="distribution_governance.group_manager",
                                    email="manager@outbox.example")
        cls.integration = new_test_user(
            cls.env, "dg_outbox_n8n", groups="base.group_user,distribution_governance.group_integration",
            email="n8n@outbox.example")
        cls.other_integration = new_test_user(
            cls.env, "dg_outbox_n8n_2", groups="base.group_user,distribution_governance.group_integration")
        cls.buyer = new_test_user(cls.env, "dg_outbox_buyer",
                                  groups="distribution_governance.group_requester,purchase.group_purchase_user",
                                  email="buyer@outbox.example")
        cls.api = cls.env["governance.api"].with_user(cls.integration)
        cls.vendor = cls.env["res.partner"].create({"name": "Outbox Vendor", "email": "vendor@outbox.example"})
        cls.Delivery = cls.env["governance.delivery"]
        cls.Event = cls.env["governance.event"]

    def setUp(self):
        super().setUp()
        self.receiver.reset()

    def make_subscription(self, url=None, event_types=None, **vals):
        return self.env["governance.subscription"].create(dict({
            "name": "Test receiver",
            "url": url or self.receiver.url,
            "event_types": ",".join(event_types or ["exception.raised", "exception.resolved", "governance.ping"]),
        }, **vals))

    def make_order(self):
        return self.env["purchase.order"].create({"partner_id": self.vendor.id})

    def ping(self, subscription, record=None):
        """One event about ``record`` (default: the subscription) queued for ``subscription``."""
        return self.Event._emit("governance.ping", record or subscription,
                                {"subscription_id": subscription.id, "message": "test"},
                                company=self.env.company, subscriptions=subscription)

    def dispatch(self):
        return self.Delivery._dispatch_due()

    def make_due(self, deliveries):
        """Pretend the retry time of ``deliveries`` has come."""
        self.env.flush_all()
        self.env.cr.execute("UPDATE governance_delivery SET next_attempt_at = now() at time zone 'UTC' "
                            "- interval '1 second' WHERE id IN %s", [tuple(deliveries.ids)])
        deliveries.invalidate_recordset()

    def assert_signed(self, request, secrets):
        signature.verify(secrets, request["headers"], request["body"].encode("utf-8"))
