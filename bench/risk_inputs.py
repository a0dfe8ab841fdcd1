"""Cost of governance.api.purchase_risk_inputs (issue 11, scenario S2) for 1 000 and then 10 000
open purchase orders, in the same run, in one Odoo process (no RPC in the measurement).

It creates, in a database you can spoil: products in a "Critical spares" category (half with a
reordering rule), 100 open (draft) purchase orders of one or two lines each through the ORM, and
confirmed sales orders with commitment dates for those products; then copies the orders (and
their lines) in SQL up to 1 000 and 10 000 (creating 10 000 orders through the ORM takes hours on
a loaded 2-core machine), reads every open order's risk inputs in pages of 200 after each step,
by offset and by keyset (after_id), and prints time per order, SQL queries per page and the 10k/1k
ratio of each. The sales demand stays the same, so the cost per order compares like with like. Nothing is committed.

Run it through Odoo's shell on a copy of a database with the addon installed:

    createdb -h 127.0.0.1 -U odoo -T dg_template dg_risk_bench
    cp -r ~/.local/share/Odoo/filestore/dg_template ~/.local/share/Odoo/filestore/dg_risk_bench
    python3 /opt/odoo18/odoo-bin -c /opt/odoo18.conf -d dg_risk_bench -i distribution_governance \
        --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon --stop-after-init
    python3 /opt/odoo18/odoo-bin shell -c /opt/odoo18.conf -d dg_risk_bench --no-http \
        --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon < bench/risk_inputs.py
"""
# The Odoo shell provides `env`; this file is fed to it on stdin.
import time
from datetime import timedelta

from odoo import Command, fields

PAGE = 200
PRODUCTS = 200
STEPS = (1000, 10000)

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))  # noqa: F821
company = env.company
now = fields.Datetime.now()
category = env["product.category"].create({"name": "Bench critical spares"})
products = env["product.product"].create([
    {"name": f"Bench part {index}", "default_code": f"BP-{index}", "categ_id": category.id,
     "is_storable": True, "type": "consu"} for index in range(PRODUCTS)])
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
env["stock.warehouse.orderpoint"].create([
    {"product_id": product.id, "warehouse_id": warehouse.id, "location_id": warehouse.lot_stock_id.id,
     "product_min_qty": 50, "product_max_qty": 100} for product in products[: PRODUCTS // 2]])
suppliers = env["res.partner"].create([{"name": f"Bench supplier {index}"} for index in range(20)])
customers = env["res.partner"].create([{"name": f"Bench customer {index}", "is_company": True} for index in range(50)])
integration = env["res.users"].create({
    "name": "Bench n8n", "login": "bench-n8n-risk",
    "groups_id": [Command.set([env.ref("base.group_user").id,
                               env.ref("distribution_governance.group_integration").id])]})
api = env["governance.api"].with_user(integration)


def add_orders(count, start):
    for first in range(start, start + count, 500):
        env["purchase.order"].create([{
            "partner_id": suppliers[index % len(suppliers)].id,
            "order_line": [Command.create({
                "product_id": products[(index + offset) % PRODUCTS].id, "product_qty": 10 + index % 7,
                "price_unit": 25.0, "date_planned": now + timedelta(days=5 + index % 20)})
                for offset in range(1 + index % 2)],
        } for index in range(first, min(first + 500, start + count))])
        sales = env["sale.order"].create([{
            "partner_id": customers[index % len(customers)].id,
            "commitment_date": now + timedelta(days=1 + index % 15),
            "order_line": [Command.create({"product_id": products[index % PRODUCTS].id,
                                           "product_uom_qty": 2, "price_unit": 90.0})],
        } for index in range(first, min(first + 500, start + count), 5)])
        sales.write({"state": "sale"})
        env.flush_all()
        env.invalidate_all()


def columns(table):
    env.cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
                   [table])
    return [row[0] for row in env.cr.fetchall()]


def clone_orders(template_ids, copy):
    """One SQL copy of the template orders and their lines, named <name>-<copy>."""
    env.flush_all()
    order_columns = [column for column in columns("purchase_order") if column != "name"]
    listed = ", ".join(f'"{column}"' for column in order_columns)
    env.cr.execute(f"""INSERT INTO purchase_order (name, {listed})
                       SELECT name || '-' || %s, {listed} FROM purchase_order WHERE id = ANY(%s)""",
                   [copy, template_ids])
    line_columns = [column for column in columns("purchase_order_line") if column != "order_id"]
    listed = ", ".join(f'line."{column}"' for column in line_columns)
    names = ", ".join(f'"{column}"' for column in line_columns)
    env.cr.execute(f"""INSERT INTO purchase_order_line (order_id, {names})
                       SELECT copy.id, {listed}
                         FROM purchase_order_line line
                         JOIN purchase_order original ON original.id = line.order_id
                         JOIN purchase_order copy ON copy.name = original.name || '-' || %s
                        WHERE original.id = ANY(%s)""", [copy, template_ids])
    env.invalidate_all()


def measure(paging):
    """Read every open order in pages, by offset or by keyset (after_id)."""
    env.invalidate_all()
    cursor, orders, pages, queries = 0, 0, 0, []
    started = time.perf_counter()
    while True:
        before = env.cr.sql_log_count
        page = api.purchase_risk_inputs({"category_ids": [category.id], "limit": PAGE, paging: cursor})
        queries.append(env.cr.sql_log_count - before)
        orders += len(page["orders"])
        pages += 1
        env.invalidate_all()
        if not page["has_more"]:
            break
        cursor = page["next_offset" if paging == "offset" else "next_after_id"]
    return orders, pages, time.perf_counter() - started, queries


results = {}
started = time.perf_counter()
add_orders(100, 0)
template_ids = env["purchase.order"].search([("partner_id", "in", suppliers.ids)]).ids
print(f"created 100 open orders through the ORM in {time.perf_counter() - started:.1f} s")
copies = 0
for target in STEPS:
    while len(template_ids) * (copies + 1) < target:
        copies += 1
        clone_orders(template_ids, copies)
    # One untimed page first: the first read after the copy pays for cold caches, whichever paging runs first.
    api.purchase_risk_inputs({"category_ids": [category.id], "limit": PAGE})
    for paging in ("offset", "after_id"):
        orders, pages, seconds, queries = measure(paging)
        results[paging, target] = seconds / orders
        print(f"{orders:6d} orders by {paging:8s}: {seconds:7.2f} s, {1000 * seconds / orders:6.2f} ms/order, {pages} pages "
              f"of {PAGE}, SQL queries per page median {sorted(queries)[len(queries) // 2]} max {max(queries)}")
for paging in ("offset", "after_id"):
    print(f"ratio time per order 10k/1k by {paging}: {results[paging, STEPS[1]] / results[paging, STEPS[0]]:.2f} "
          "(1.00 = linear in the number of orders)")
env.cr.rollback()
