import threading

import psycopg2
import uuid
from contextlib import closing

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrentDecisions(BaseCase):
    """Two approvers finish the two parallel tiers of one level at the same moment, each in their own
    database transaction (as two Odoo workers would). The level must still advance.

    The test uses its own committed data (other connections cannot see a test transaction), with
    unique names, so it can run on any database.
    """

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.tag = uuid.uuid4().hex[:8]

    def _env(self, cr, uid=SUPERUSER_ID):
        # No e-mail is sent from these committed transactions (the test server has no mail setup).
        return api.Environment(cr, uid, {"tracking_disable": True, "mail_notify_force_send": False,
                                         "mail_activity_quick_update": True})

    def _setup_committed(self):
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            env = self._env(cr)
            groups = [env.ref(x).id for x in ("base.group_user", "purchase.group_purchase_user",
                                               "distribution_governance.group_approver")]
            users = {
                name: env["res.users"].create({"name": f"{name} {self.tag}", "login": f"{name}-{self.tag}",
                                               "groups_id": [Command.set(groups)]})
                for name in ("buyer", "lead", "fin", "ops")
            }
            vendor = env["res.partner"].create({"name": f"Vendor {self.tag}", "governance_vendor_risk": "low"})
            product = env["product.product"].create({"name": f"Part {self.tag}"})

            def tier(code, level, user):
                return Command.create({
                    "code": code, "sequence": level * 10 + len(code), "document_type": "purchase.order",
                    "action": "require_tier", "reason": code, "tier_name": code, "tier_level": level,
                    "min_approvals": 1, "approver_user_ids": [Command.set(user.ids)],
                })
            company = env["res.company"].create({"name": f"Concurrency {self.tag}"})
            for user in users.values():
                user.write({"company_ids": [Command.link(company.id)]})
            policy = env["governance.policy"].with_company(company).create({
                "name": f"Concurrency {self.tag}", "company_id": company.id,
                "rule_ids": [tier("fin", 1, users["fin"]), tier("ops", 1, users["ops"]), tier("lead", 2, users["lead"])],
            })
            policy.action_activate()
            order = env["purchase.order"].with_user(users["buyer"]).with_company(company).create({
                "partner_id": vendor.id, "company_id": company.id,
                "order_line": [Command.create({"product_id": product.id, "product_qty": 1, "price_unit": 100})],
            })
            order.button_confirm()
            request = order.sudo()._governance_current_request()
            reviews = {review.tier_name: review.id for review in request.review_ids}
            cr.commit()
            return users, order.id, request.id, reviews

    def test_parallel_tiers_decided_at_once_advance_the_level(self):
        users, order_id, request_id, reviews = self._setup_committed()
        first_decided = threading.Event()
        errors, retried = [], []
        # Environments are made here: the test thread holds the registry lock that making one takes.
        envs = {tier: self._env(sql_db.db_connect(self.dbname).cursor()) for tier in ("fin", "ops")}

        def decide(tier, pause_before_commit):
            env = envs[tier]
            try:
                user = users[tier].with_env(env)

                def work():
                    env["governance.approval.review"].browse(reviews[tier])._decide(user, "approve")
                    if pause_before_commit:
                        first_decided.set()
                        # Hold the transaction open while the other approver decides.
                        threading.Event().wait(1.0)
                if not pause_before_commit:
                    first_decided.wait(10)
                    # Start this transaction's snapshot before the first one commits.
                    env.cr.execute("SELECT 1")
                # What odoo.service.model.retrying does for an RPC call (its env.reset() would need the
                # registry lock this test thread cannot take): roll back and run again on a
                # serialization failure.
                for _attempt in range(5):
                    try:
                        work()
                        env.cr.commit()
                        break
                    except psycopg2.errors.SerializationFailure:
                        env.cr.rollback()
                        retried.append(tier)
            except Exception as error:  # reported below, with the tier that failed
                errors.append((tier, repr(error)))
            finally:
                env.cr.close()

        threads = [threading.Thread(target=decide, args=("fin", True)), threading.Thread(target=decide, args=("ops", False))]
        with mute_logger("odoo.sql_db"):  # the expected serialization failure is logged as a bad query
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a decision did not finish within 30 s")
        self.assertEqual(errors, [])
        # The second approver's transaction waited for the first, failed to serialise and ran again.
        self.assertEqual(retried, ["ops"])
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            env = self._env(cr)
            request = env["governance.approval.request"].browse(request_id)
            states = {review.tier_name: review.state for review in request.review_ids}
            self.assertEqual(states, {"fin": "approved", "ops": "approved", "lead": "pending"})
            self.assertEqual(request.current_level, 2)
            self.assertTrue(env["governance.audit.log"]._verify_chain()["ok"])
