from odoo import Command
from odoo.tests import TransactionCase, new_test_user

PURCHASE_USER = "purchase.group_purchase_user"
REQUESTER = "distribution_governance.group_requester"
APPROVER = "distribution_governance.group_approver"
MANAGER = "distribution_governance.group_manager"
AUDITOR = "distribution_governance.group_auditor"
INTEGRATION = "distribution_governance.group_integration"


class GovernanceCase(TransactionCase):
    """A company with a two-level purchasing policy and the people who work under it.

    - po-1k (level 1, "Purchasing"): amount >= 1000, approved by Alice, 24 h SLA, escalates to Carol.
    - po-10k-finance (level 2, "Finance"): amount >= 10000, 2 of the finance group (Fay, Finn, Alice).
    - po-10k-ops (level 2, "Operations", in parallel with Finance): amount >= 10000, Olga.
    - po-risk-high: vendor risk high blocks (and a vendor of unknown risk is held: the fact is missing);
      po-emergency: emergency orders are held.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id

        def user(login, groups):
            return new_test_user(cls.env, login=login, groups=groups, password=f"{login}-pass-1234",
                                 email=f"{login}@acme.example", name=login.capitalize())

        cls.buyer = user("buyer", f"base.group_user,{PURCHASE_USER},{REQUESTER}")
        cls.alice = user("alice", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.carol = user("carol", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.fay = user("fay", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.finn = user("finn", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.olga = user("olga", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.eve = user("eve", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.outsider = user("outsider", f"base.group_user,{PURCHASE_USER},{APPROVER}")
        cls.manager = user("govmanager", f"base.group_user,{PURCHASE_USER},{MANAGER}")
        cls.auditor = user("auditor", f"base.group_user,{AUDITOR}")
        cls.integration = user("n8n", f"base.group_user,{INTEGRATION}")
        cls.purchase_manager = user("pmanager", "base.group_user,purchase.group_purchase_manager")

        cls.finance_group = cls.env["res.groups"].create({
            "name": "Finance approvers", "users": [Command.set((cls.fay | cls.finn | cls.alice).ids)],
        })
        cls.vendor = cls.env["res.partner"].create({"name": "Acme Parts", "governance_vendor_risk": "low"})
        cls.category = cls.env["product.category"].create({
            "name": "Spare parts", "parent_id": cls.env.ref("product.product_category_all").id})
        cls.product = cls.env["product.product"].create({
            "name": "Bearing 6204", "categ_id": cls.category.id, "standard_price": 10.0,
            "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 10.0})],
        })
        cls.policy = cls._create_policy()
        cls.policy.action_activate()

    @classmethod
    def _rule(cls, code, action, conditions, sequence=10, **tier):
        vals = {
            "code": code, "sequence": sequence, "document_type": "purchase.order", "action": action,
            "reason": tier.pop("reason", code),
            "condition_ids": [Command.create({"fact": f, "op": op, "value": v}) for f, op, v in conditions],
        }
        vals.update(tier)
        return Command.create(vals)

    @classmethod
    def _create_policy(cls):
        return cls.env["governance.policy"].create({
            "name": "Purchasing approvals",
            "rule_ids": [
                cls._rule("po-1k", "require_tier", [("amount", "gte", "1000")], 10,
                          reason="Spend of 1,000 or more", tier_name="Purchasing", tier_level=1,
                          approver_user_ids=[Command.set(cls.alice.ids)], min_approvals=1,
                          sla_hours=24, escalate_user_id=cls.carol.id),
                cls._rule("po-10k-finance", "require_tier", [("amount", "gte", "10000")], 20,
                          reason="Spend of 10,000 or more", tier_name="Finance", tier_level=2,
                          approver_group_ids=[Command.set(cls.finance_group.ids)], min_approvals=2, sla_hours=48),
                cls._rule("po-10k-ops", "require_tier", [("amount", "gte", "10000")], 30,
                          reason="Spend of 10,000 or more", tier_name="Operations", tier_level=2,
                          approver_user_ids=[Command.set(cls.olga.ids)], min_approvals=1),
                cls._rule("po-risk-high", "block", [("vendor_risk", "eq", "high")], 40,
                          reason="High-risk vendors are blocked"),
                cls._rule("po-emergency", "hold", [("urgency", "eq", "emergency")], 50,
                          reason="Emergency orders are checked by the planner first"),
            ],
        })

    def create_order(self, amount, user=None, vendor=None, **vals):
        """A draft purchase order of ``amount`` (company currency), created by ``user`` (the buyer)."""
        Order = self.env["purchase.order"].with_user(user or self.buyer)
        return Order.create(dict({
            "partner_id": (vendor or self.vendor).id,
            "order_line": [Command.create({"product_id": self.product.id, "product_qty": 1, "price_unit": amount})],
        }, **vals))

    def approved_order(self, amount, **vals):
        """A purchase order of ``amount`` confirmed by the buyer and approved by every tier it needs."""
        order = self.create_order(amount, **vals)
        order.with_user(self.buyer).button_confirm()
        for tier_name, approvers in (("Purchasing", self.alice), ("Finance", self.fay | self.finn), ("Operations", self.olga)):
            for approver in approvers if self.review(order, tier_name) else ():
                self.decide(order, tier_name, approver)
        self.assertEqual((order.state, self.request_of(order).state), ("purchase", "approved"))
        return order

    def request_of(self, order):
        return order.sudo()._governance_current_request()

    def review(self, order, tier_name):
        return self.request_of(order).review_ids.filtered(lambda review: review.tier_name == tier_name)

    def decide(self, order, tier_name, user, outcome="approve", **kwargs):
        return self.review(order, tier_name).with_user(user)._decide(user, outcome, **kwargs)
