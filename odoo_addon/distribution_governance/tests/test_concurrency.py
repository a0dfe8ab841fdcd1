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

    def _run_overlapping(self, first, second):
        """Run ``first(env)`` and ``second(env)`` in two transactions of their own that overlap.

        The first holds its transaction open for a second after its work; the second starts its
        transaction then (before the first commits) and does its work. A serialization failure is
        retried as odoo.service.model.retrying does for an RPC call (its env.reset() would need the
        registry lock this test thread holds). Returns the names of the transactions that retried.
        """
        done_first = threading.Event()
        errors, retried = [], []
        # Environments are made here: the test thread holds the registry lock that making one takes.
        envs = [self._env(sql_db.db_connect(self.dbname).cursor()) for _index in range(2)]

        def run(name, env, work, is_first):
            try:
                if not is_first:
                    done_first.wait(10)
                    env.cr.execute("SELECT 1")  # this transaction's snapshot predates the first's commit
                for _attempt in range(5):
                    try:
                        work(env)
                        if is_first:
                            done_first.set()
                            threading.Event().wait(1.0)
                        env.cr.commit()
                        break
                    except psycopg2.errors.SerializationFailure:
                        env.cr.rollback()
                        retried.append(name)
            except Exception as error:  # reported below, with the transaction that failed
                errors.append((name, repr(error)))
                done_first.set()
            finally:
                env.cr.close()

        threads = [threading.Thread(target=run, args=("first", envs[0], first, True)),
                   threading.Thread(target=run, args=("second", envs[1], second, False))]
        with mute_logger("odoo.sql_db"):  # the expected serialization failure is logged as a bad query
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a transaction did not finish within 30 s")
        self.assertEqual(errors, [])
        return retried

    def test_parallel_tiers_decided_at_once_advance_the_level(self):
        users, _order_id, request_id, reviews = self._setup_committed()

        def approve(tier):
            return lambda env: env["governance.approval.review"].browse(reviews[tier])._decide(
                users[tier].with_env(env), "approve")

        # The second approver's transaction waited for the first, failed to serialise and ran again.
        self.assertEqual(self._run_overlapping(approve("fin"), approve("ops")), ["second"])
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            env = self._env(cr)
            request = env["governance.approval.request"].browse(request_id)
            states = {review.tier_name: review.state for review in request.review_ids}
            self.assertEqual(states, {"fin": "approved", "ops": "approved", "lead": "pending"})
            self.assertEqual(request.current_level, 2)
            self.assertTrue(env["governance.audit.log"]._verify_chain()["ok"])

    def test_events_about_one_document_at_once_get_consecutive_sequences(self):
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            partner_id = self._env(cr)["res.partner"].create({"name": f"Outbox subject {self.tag}"}).id
            cr.commit()

        subject = f"res.partner/{partner_id}"
        self.addCleanup(self._remove_events_of, subject)

        def emit(env):
            env["governance.event"]._emit("governance.ping", env["res.partner"].browse(partner_id),
                                          {"subscription_id": 1, "message": "concurrency test"})

        self.assertEqual(self._run_overlapping(emit, emit), ["second"])
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute("SELECT sequence FROM governance_event WHERE subject = %s ORDER BY id", [subject])
            self.assertEqual([row[0] for row in cr.fetchall()], [1, 2])

    def _remove_events_of(self, subject):
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute("DELETE FROM governance_event WHERE subject = %s", [subject])
            cr.execute("DELETE FROM governance_event_subject WHERE subject = %s", [subject])
            cr.commit()
