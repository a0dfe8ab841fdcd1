#!/usr/bin/env python3
"""Benchmark (a) and (b) of issue 4: what governance and the outbox cost a user confirming orders.

Confirms 200 draft purchase orders one call at a time over JSON-RPC (each call is one user
transaction) in five modes, on the same running Odoo, one after the other in one run:

  disabled   no active policy (plain Odoo: the order is confirmed and its receipt created)
  nosub      a policy that routes every order to approval, no subscription (events are still
             written to the outbox, nothing is delivered)
  up         a policy that routes every order to approval (the order waits in "to approve";
             an approval request, review, activity, audit entry and approval.requested event
             are written) and one subscription whose receiver answers at once
  slow       the same, the receiver answering after 5 s
  down       the same, nothing listening on the receiver's port

and prints each mode's time per order and the ratios up/disabled, up/nosub, slow/up and down/up. Delivery
runs in Odoo's cron thread after commit, so slow and down should cost the user nothing.

Needs a running Odoo with distribution_governance installed, purchase, and at least one cron
thread (--max-cron-threads=1), on a database you can spoil (it adds orders, a policy, users):

  python3 bench/confirm_overhead.py --url http://127.0.0.1:8192 --db dg_outbox_bench \
      --login admin --password admin [--orders 200]
"""

import statistics
import time

from bench_support import Odoo, Receiver, closed_port_url, odoo_arguments

BENCH_POLICY = "Bench: every purchase order needs approval"
EVENT_TYPES = "approval.requested,approval.decided,approval.completed"


def xmlid(odoo, module, name):
    [record] = odoo.call("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                         fields=["res_id"])
    return record["res_id"]


def setup(odoo):
    approver_group = xmlid(odoo, "distribution_governance", "group_approver")
    approver = odoo.call("res.users", "search", [("login", "=", "bench_approver")]) or [
        odoo.call("res.users", "create", {"name": "Bench Approver", "login": "bench_approver",
                                          "groups_id": [(6, 0, [approver_group])]})]
    vendor = odoo.call("res.partner", "create", {"name": "Bench Vendor"})
    product = odoo.call("product.product", "create", {"name": "Bench part", "standard_price": 10.0, "purchase_ok": True})
    policies = odoo.call("governance.policy", "search", [("name", "=", BENCH_POLICY)])
    policy = policies[0] if policies else odoo.call("governance.policy", "create", {
        "name": BENCH_POLICY,
        "rule_ids": [(0, 0, {
            "code": "bench-all", "sequence": 10, "document_type": "purchase.order", "action": "require_tier",
            "reason": "Every order needs approval (benchmark)", "tier_name": "Bench approval", "tier_level": 1,
            "approver_user_ids": [(6, 0, approver)], "min_approvals": 1,
            "condition_ids": [(0, 0, {"fact": "amount", "op": "gte", "value": "0"})],
        })],
    })
    return vendor, product, policy


def confirm_orders(odoo, vendor, product, count):
    orders = odoo.call("purchase.order", "create", [{
        "partner_id": vendor,
        "order_line": [(0, 0, {"product_id": product, "product_qty": 1 + index % 5, "price_unit": 10.0 + index})],
    } for index in range(count)])
    durations = []
    for order in orders:
        started = time.perf_counter()
        odoo.call("purchase.order", "button_confirm", [order])
        durations.append(time.perf_counter() - started)
    states = odoo.call("purchase.order", "read", orders, ["state"])
    return durations, {record["state"] for record in states}


def main():
    parser = odoo_arguments(__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    odoo = Odoo(args.url, args.db, args.login, args.password)
    vendor, product, policy = setup(odoo)
    active = odoo.call("governance.policy", "search", [("state", "=", "active"), ("id", "!=", policy)])
    up, slow = Receiver(), Receiver(delay=5)
    modes = [("disabled", None), ("nosub", ""), ("up", up.url), ("slow", slow.url), ("down", closed_port_url())]
    results = {}
    subscriptions = {}
    try:
        odoo.call("governance.policy", "action_retire", active + [policy])
        for mode, url in modes:
            if url is not None:
                odoo.call("governance.policy", "action_activate", [policy])
            if url:
                subscriptions[mode] = odoo.call("governance.subscription", "create", {
                    "name": f"bench {mode}", "url": url, "event_types": EVENT_TYPES})
            durations, states = confirm_orders(odoo, vendor, product, args.orders)
            results[mode] = durations
            print(f"{mode:>8}: {args.orders} orders in {sum(durations):6.2f} s, "
                  f"{statistics.mean(durations) * 1000:6.1f} ms/order (median {statistics.median(durations) * 1000:.1f} ms), "
                  f"orders end in {sorted(states)}", flush=True)
            if url:
                odoo.call("governance.subscription", "write", [subscriptions[mode]], {"active": False})
        up.wait_for(args.orders, timeout=60)
        delivered = odoo.call("governance.delivery", "search_count",
                              [("subscription_id", "=", subscriptions["up"]), ("state", "=", "delivered")])
        print(f"receiver up got {up.count()} deliveries; Odoo marks {delivered} of the {args.orders} delivered")
    finally:
        odoo.call("governance.policy", "action_retire", [policy])
        if active:
            odoo.call("governance.policy", "action_activate", active[:1])
        up.stop()
        slow.stop()
    total = {mode: sum(durations) for mode, durations in results.items()}
    print(f"(a) governed with one subscription / governance disabled: {total['up'] / total['disabled']:.2f}"
          " (disabled confirms the order and creates its receipt; governed stops at 'to approve')")
    print(f"(a) governed with one subscription / governed without:    {total['up'] / total['nosub']:.2f}"
          " (the subscription's share: a delivery row, the dispatcher woken and running beside the user)")
    print(f"(b) receiver answering after 5 s / receiver up:           {total['slow'] / total['up']:.2f}")
    print(f"(b) receiver down / receiver up:                          {total['down'] / total['up']:.2f}")


if __name__ == "__main__":
    main()
