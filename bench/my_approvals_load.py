"""My Approvals under load (issue 16): how long the approver's inbox takes to load with 100, 1,000
and 10,000 pending reviews, in the same run, as ratios against the 100-review load.

What is measured is what the web client asks when an approver opens My Approvals: the list
(web_search_read of the list view's fields, "Mine to decide", first 80 rows by due time, with the
record count), the kanban (the same with the kanban's fields) and the grouped list (web_read_group
by document type and by due day). Each figure is the median of 5 calls after a warm-up.

Reviews are written straight through the ORM (a request and its review on one purchase order,
the approver eligible), not through order confirmation, so that 10,000 take a minute, not an
hour. Everything runs in one transaction that is rolled back at the end: the database is left as
it was. Run it on a database with the addon installed (a copy you may spoil):

    createdb -h 127.0.0.1 -U odoo -T dg_template approver_bench
    cp -r ~/.local/share/Odoo/filestore/dg_template ~/.local/share/Odoo/filestore/approver_bench
    /usr/bin/python3 /opt/odoo18/odoo-bin -c /opt/odoo18.conf -d approver_bench -i distribution_governance \
        --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon --stop-after-init
    PYTHONPATH=/opt/odoo18 /usr/bin/python3 bench/my_approvals_load.py -c /opt/odoo18.conf -d approver_bench \
        --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon

(the arguments are Odoo's own; in an Odoo shell, feed the file on stdin instead).
"""
import json
import statistics
import time

from lxml import etree

from odoo import Command, fields

SIZES = (100, 1000, 10000)
RUNS = 5


def setup(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
    approver_group = env.ref("distribution_governance.group_approver")
    approver = env["res.users"].create({"name": "Bench Approver", "login": "bench-approver",
                                        "groups_id": [Command.link(approver_group.id),
                                                      Command.link(env.ref("purchase.group_purchase_user").id)]})
    buyer = env["res.users"].create({"name": "Bench Buyer", "login": "bench-buyer",
                                     "groups_id": [Command.link(env.ref("purchase.group_purchase_user").id)]})
    vendor = env["res.partner"].create({"name": "Bench Vendor"})
    product = env["product.product"].create({"name": "Bench Bearing"})
    policy = env["governance.policy"].create({"name": "Bench policy", "rule_ids": [Command.create({
        "code": "bench-1k", "document_type": "purchase.order", "action": "require_tier", "reason": "Spend of 1,000 or more",
        "tier_name": "Purchasing", "approver_user_ids": [Command.set(approver.ids)], "sla_hours": 24,
        "condition_ids": [Command.create({"fact": "amount", "op": "gte", "value": "1000"})]})]})
    order = env["purchase.order"].create({"partner_id": vendor.id, "order_line": [
        Command.create({"product_id": product.id, "product_qty": 3, "price_unit": 1000})]})
    version = policy._current_version()
    return env, approver, buyer, order, policy, version


def add_reviews(env, count, approver, buyer, order, policy, version, start):
    now = fields.Datetime.now()
    facts = json.dumps({"amount": "3000.00", "currency": env.company.currency_id.name})
    requests = env["governance.approval.request"].sudo().create([{
        "name": f"BENCH/{start + index:05d}", "res_model": "purchase.order", "res_id": order.id,
        "document_name": order.name, "company_id": env.company.id, "requester_id": buyer.id,
        "outcome": "needs_approval", "policy_id": policy.id, "policy_version_id": version.id,
        "evaluation": "{}", "facts": facts, "reasons": "Spend of 1,000 or more", "current_level": 1,
    } for index in range(count)])
    env["governance.approval.review"].sudo().create([{
        "request_id": request.id, "level": 1, "rule_code": "bench-1k", "tier_name": "Purchasing",
        "min_approvals": 1, "approvers": "[]", "state": "pending", "date_started": now, "sla_hours": 24,
        "date_due": fields.Datetime.add(now, hours=(index % 72) - 12),
        "eligible_user_ids": [Command.set(approver.ids)],
    } for index, request in enumerate(requests)])
    env.flush_all()


def view_fields(env, view_type):
    Review = env["governance.approval.review"]
    arch = etree.fromstring(Review.get_views([(False, view_type)])["views"][view_type]["arch"])
    return {node.get("name"): {} for node in arch.iter("field") if node.get("name") in Review._fields}


def median_ms(env, call):
    call()  # warm-up
    timings = []
    for _ in range(RUNS):
        env.invalidate_all()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(env, approver):
    Review = env["governance.approval.review"].with_user(approver).with_context(search_default_to_decide=1)
    mine = [("can_decide", "=", True)]
    list_spec, kanban_spec = view_fields(Review.env, "list"), view_fields(Review.env, "kanban")
    return {
        "list": median_ms(env, lambda: Review.web_search_read(mine, list_spec, limit=80, count_limit=10001)),
        "kanban": median_ms(env, lambda: Review.web_search_read(mine, kanban_spec, limit=80, count_limit=10001)),
        "group by type": median_ms(env, lambda: Review.web_read_group(mine, ["amount_company:sum"], ["document_type"])),
        "group by due": median_ms(env, lambda: Review.web_read_group(mine, ["amount_company:sum"], ["date_due:day"])),
    }


def main(env):
    env, approver, buyer, order, policy, version = setup(env)
    results, done = {}, 0
    for size in SIZES:
        add_reviews(env, size - done, approver, buyer, order, policy, version, done)
        done = size
        env.cr.execute("ANALYZE governance_approval_review; ANALYZE governance_approval_request; "
                       "ANALYZE governance_review_eligible_user_rel")
        results[size] = measure(env, approver)
        print(f"{size:>6} pending reviews: " + ", ".join(f"{name} {ms:7.1f} ms" for name, ms in results[size].items()),
              flush=True)
    for size in SIZES[1:]:
        print(f"ratio {size}/{SIZES[0]}: " + ", ".join(
            f"{name} x{results[size][name] / results[SIZES[0]][name]:.2f}" for name in results[size]), flush=True)
    env.cr.rollback()


if "env" in globals():  # an Odoo shell
    main(env)  # noqa: F821
else:
    import sys

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(sys.argv[1:])
    registry = odoo.modules.registry.Registry(odoo.tools.config["db_name"])
    with registry.cursor() as cr:
        main(api.Environment(cr, SUPERUSER_ID, {}))
