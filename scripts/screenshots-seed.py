"""Seeds a database for scripts/screenshots-roles.mjs (issue 16): one user per role (buyer, approver,
manager, auditor; password "<login>-pass"), a purchasing policy with a password-confirmed
high-value tier, and purchase orders waiting at every stage. Run in an Odoo shell on a spare
database with the addon installed; it commits.

    /usr/bin/python3 /opt/odoo18/odoo-bin shell -c /opt/odoo18.conf -d <db> --no-http \
        --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon < scripts/screenshots-seed.py
"""
# ruff: noqa: F821  (env is the Odoo shell's)
from datetime import date, timedelta

from odoo import Command

env = env(context=dict(env.context, tracking_disable=True))
G = "distribution_governance.group_"


def user(login, name, groups):
    groups = [env.ref(xml_id).id for xml_id in ["base.group_user", *groups]]
    return env["res.users"].create({"name": name, "login": login, "password": f"{login}-pass",
                                    "email": f"{login}@acme.example", "tz": "Europe/Brussels",
                                    "groups_id": [Command.set(groups)]})


buyer = user("buyer", "Bob Buyer", ["purchase.group_purchase_user", G + "requester"])
approver = user("approver", "Maria Approver", ["purchase.group_purchase_user", G + "approver"])
colleague = user("colleague", "Colin Approver", ["purchase.group_purchase_user", G + "approver"])
board = user("board", "Bea Board", ["purchase.group_purchase_user", G + "approver"])
manager = user("manager", "Greta Manager", ["purchase.group_purchase_user", G + "manager"])
auditor = user("auditor", "Audrey Auditor", [G + "auditor"])
env.ref("base.user_admin").groups_id = [Command.link(env.ref(G + "manager").id)]

preferred = env["res.partner"].create({"name": "Nordic Bearings AB", "governance_vendor_risk": "low"})
other = env["res.partner"].create({"name": "Rhine Industrial Supplies GmbH", "governance_vendor_risk": "medium"})
category = env["product.category"].create({"name": "Spare parts"})
products = env["product.product"].create([
    {"name": name, "categ_id": category.id, "standard_price": price,
     "seller_ids": [Command.create({"partner_id": preferred.id, "price": price})]}
    for name, price in (("Bearing 6204-2RS", 4.2), ("Hydraulic pump HP-300", 1450.0), ("Conveyor belt 12 m", 890.0))
])


def rule(code, seq, reason, conditions, **tier):
    return Command.create(dict({
        "code": code, "sequence": seq, "document_type": "purchase.order", "reason": reason,
        "action": "require_tier",
        "condition_ids": [Command.create({"fact": f, "op": op, "value": v}) for f, op, v in conditions]}, **tier))


policy = env["governance.policy"].create({"name": "Purchasing approvals", "rule_ids": [
    rule("po-1k", 10, "Spend of 1,000 or more", [("amount", "gte", "1000")], tier_name="Purchasing", tier_level=1,
         approver_user_ids=[Command.set((approver | colleague).ids)], sla_hours=24, escalate_user_id=manager.id),
    rule("po-non-preferred", 20, "Vendor is not preferred", [("amount", "gte", "1000"), ("vendor_preferred", "eq", "false")],
         tier_name="Category manager", tier_level=1, approver_user_ids=[Command.set(colleague.ids)], sla_hours=48),
    rule("po-50k", 30, "Spend of 50,000 or more", [("amount", "gte", "50000")], tier_name="Board", tier_level=2,
         approver_user_ids=[Command.set((board | approver).ids)], sla_hours=72, confirm_with_password=True),
    Command.create({"code": "po-risk-high", "sequence": 40, "document_type": "purchase.order", "action": "block",
                    "reason": "High-risk vendors are blocked",
                    "condition_ids": [Command.create({"fact": "vendor_risk", "op": "eq", "value": "high"})]}),
]})
policy.action_activate()


def order(vendor, lines):
    po = env["purchase.order"].with_user(buyer).create({"partner_id": vendor.id, "order_line": [
        Command.create({"product_id": product.id, "product_qty": qty, "price_unit": price}) for product, qty, price in lines]})
    po.with_user(buyer).button_confirm()
    return po


for qty in (300, 420, 650, 800, 1200):
    order(preferred, [(products[0], qty, 4.2)])
order(other, [(products[1], 2, 1450.0), (products[0], 100, 4.2)])
big = order(preferred, [(products[1], 30, 1450.0), (products[2], 20, 890.0)])
review = big._governance_current_request().review_ids.filtered(lambda r: r.tier_name == "Purchasing")
review.with_user(colleague)._decide(colleague, "approve")
env["governance.delegation"].create({"user_id": colleague.id, "delegate_id": approver.id,
                                     "date_from": date.today() - timedelta(days=1), "date_to": date.today() + timedelta(days=5)})
env.cr.commit()
print("seeded", policy.name, env["governance.approval.review"].search_count([("state", "=", "pending")]), "pending reviews")
