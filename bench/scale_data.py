"""Large governance data in one Odoo database, for bench/scale_metrics.py (run through
`odoo-bin shell`, this file on stdin). Environment:

- DG_SCALE_REQUESTS: approval requests wanted in total (one review each); 1% (and at least
  2 x DG_SCALE_DUE) pending, the rest
  decided over the last 365 days;
- DG_SCALE_DUE: pending reviews whose reminder and escalation are due now (the SLA scan's work);
- DG_SCALE_EVENTS: outbox events wanted in total (one delivered delivery each, one counter row
  per 100 as the dispatcher writes them), plus DG_SCALE_WAITING waiting deliveries;
- DG_SCALE_EXCEPTIONS: open exceptions wanted in total.

Rows are copied in SQL from one request made through the ORM (a purchase order confirmed under a
one-tier policy), so a million rows take a minute rather than hours. Then it measures the SLA
cron's scan (_cron_sla, rolled back, median of DG_SCALE_ROUNDS, default 3) and prints one JSON line.
"""
import json
import os
import statistics
import time

from odoo import Command

cr = env.cr  # noqa: F821
E = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))  # noqa: F821
want_requests = int(os.environ.get("DG_SCALE_REQUESTS", "1000"))
want_due = int(os.environ.get("DG_SCALE_DUE", "100"))
want_events = int(os.environ.get("DG_SCALE_EVENTS", "0"))
want_waiting = int(os.environ.get("DG_SCALE_WAITING", "0"))
want_exceptions = int(os.environ.get("DG_SCALE_EXCEPTIONS", "0"))
admin = E.ref("base.user_admin")


def columns(table, skip=("id",)):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
               [table])
    return [name for (name,) in cr.fetchall() if name not in skip]


def template_request():
    Request = E["governance.approval.request"].sudo()
    request = Request.search([], order="id", limit=1)
    if request:
        return request
    vendor = E["res.partner"].create({"name": "Scale bench vendor"})
    product = E["product.product"].create({"name": "Scale bench item", "standard_price": 10.0})
    policy = E["governance.policy"].create({"name": "Scale bench policy", "rule_ids": [Command.create({
        "code": "bench-1k", "sequence": 10, "document_type": "purchase.order", "action": "require_tier",
        "reason": "Bench", "tier_name": "Bench tier", "tier_level": 1, "min_approvals": 1, "sla_hours": 24,
        "approver_user_ids": [Command.set(admin.ids)], "escalate_user_id": admin.id,
        "condition_ids": [Command.create({"fact": "amount", "op": "gte", "value": "1000"})]})]})
    policy.action_activate()
    order = E["purchase.order"].create({"partner_id": vendor.id, "order_line": [Command.create(
        {"product_id": product.id, "product_qty": 1, "price_unit": 5000})]})
    order.button_confirm()
    cr.commit()
    return Request.search([], order="id", limit=1)


started = time.time()
template = template_request()
cr.execute("SELECT count(*) FROM governance_approval_request")
have = cr.fetchone()[0]
if want_requests > have:
    request_cols = columns("governance_approval_request")
    overrides = {
        "name": "'BENCH/' || g",
        # The first 2 x due requests pending (so the small set has enough to be due), then 1 %.
        "state": "CASE WHEN g %% 100 = 0 OR g <= %(pending)s THEN 'pending' ELSE 'approved' END",
        "create_date": "now() at time zone 'UTC' - (g %% 8760) * interval '1 hour' - interval '2 hours'",
        "date_completed": "CASE WHEN g %% 100 = 0 OR g <= %(pending)s THEN NULL "
                          "ELSE now() at time zone 'UTC' - (g %% 8760) * interval '1 hour' END",
        "cycle_hours": "CASE WHEN g %% 100 = 0 OR g <= %(pending)s THEN 0 ELSE 1 + g %% 47 END",
    }
    review_cols = columns("governance_approval_review")
    review_overrides = {
        "request_id": "new.id",
        "state": "CASE WHEN new.state = 'pending' THEN 'pending' ELSE 'approved' END",
        "date_reminder": "NULL", "date_escalation": "NULL",
        "date_due": "now() at time zone 'UTC' + interval '1 day'",
    }
    cr.execute(f"""
        WITH new AS (
            INSERT INTO governance_approval_request ({", ".join(request_cols)})
            SELECT {", ".join(overrides.get(col, f"t.{col}") for col in request_cols)}
              FROM governance_approval_request t, generate_series(%(start)s, %(stop)s) g
             WHERE t.id = %(template)s
            RETURNING id, state)
        INSERT INTO governance_approval_review ({", ".join(review_cols)})
        SELECT {", ".join(review_overrides.get(col, f"r.{col}") for col in review_cols)}
          FROM new, governance_approval_review r
         WHERE r.id = (SELECT min(id) FROM governance_approval_review WHERE request_id = %(template)s)
    """, {"start": have + 1, "stop": want_requests, "template": template.id, "pending": 2 * want_due})
# Exactly want_due reviews due now (reminder and escalation), the rest not due.
cr.execute("UPDATE governance_approval_review SET date_reminder = NULL, date_escalation = NULL "
           "WHERE date_reminder IS NOT NULL OR date_escalation IS NOT NULL")
cr.execute("""UPDATE governance_approval_review SET date_reminder = now() at time zone 'UTC' - interval '1 hour',
                     date_escalation = now() at time zone 'UTC' - interval '1 hour'
               WHERE id IN (SELECT id FROM governance_approval_review WHERE state = 'pending' ORDER BY id LIMIT %s)""",
           [want_due])

cr.execute("SELECT count(*) FROM governance_event")
have_events = cr.fetchone()[0]
if want_events > have_events:
    subscription = E["governance.subscription"].sudo().search([("name", "=", "Scale bench receiver")], limit=1) or \
        E["governance.subscription"].sudo().create({"name": "Scale bench receiver", "url": "http://127.0.0.1:9/hook",
                                                    "event_types": "governance.ping", "active": False})
    cr.execute("""
        WITH new AS (
            INSERT INTO governance_event (event_uid, event_type, subject, res_model, res_id, sequence, company_id, body,
                                          create_uid, create_date, write_uid, write_date)
            SELECT 'evt_' || md5(random()::text || g), 'governance.ping', 'res.partner/' || (g %% 1000), 'res.partner',
                   g %% 1000, g, %(company)s, '{"bench": ' || g || '}', 1,
                   now() at time zone 'UTC' - (g %% 43200) * interval '1 minute', 1, now() at time zone 'UTC'
              FROM generate_series(%(start)s, %(stop)s) g
            RETURNING id, create_date, subject)
        INSERT INTO governance_delivery (event_id, event_type, subscription_id, subject, company_id, state, attempt_count,
                                         failed_attempt_count, replay_count, delivered_at, last_attempt_at,
                                         create_uid, create_date, write_uid, write_date)
        SELECT id, 'governance.ping', %(subscription)s, subject, %(company)s, 'delivered', 1, 0, 0, create_date,
               create_date, 1, create_date, 1, create_date
          FROM new
    """, {"start": have_events + 1, "stop": want_events, "company": E.company.id, "subscription": subscription.id})
    cr.execute("""INSERT INTO governance_outbox_counter (subscription_id, delivered, failed, dead_lettered)
                  SELECT %s, 100, g %% 3, 0 FROM generate_series(1, %s) g""",
               [subscription.id, (want_events - have_events) // 100])
    cr.execute("""UPDATE governance_delivery SET state = 'pending', delivered_at = NULL, next_attempt_at = create_date
                   WHERE id IN (SELECT id FROM governance_delivery WHERE state = 'delivered' ORDER BY id DESC LIMIT %s)""",
               [want_waiting])
    # The trigger's claims: every delivered event started by an execution, every waiting one
    # claimed with a lease (the older half past it), as dg_outbox_claims_* read them.
    cr.execute("""
        INSERT INTO governance_delivery_claim (subscription_id, event_id, claim_key, claimed_by_id, state, claimed_at,
                                               lease_until, started_at, execution_ref, takeover_count,
                                               create_uid, create_date, write_uid, write_date)
        SELECT subscription_id, event_id, 'bench-claim-' || id, 1,
               CASE WHEN state = 'delivered' THEN 'started' ELSE 'claimed' END, create_date,
               CASE WHEN state = 'delivered' OR id %% 2 = 0 THEN create_date + interval '5 minutes'
                    ELSE now() at time zone 'UTC' + interval '5 minutes' END,
               CASE WHEN state = 'delivered' THEN create_date END,
               CASE WHEN state = 'delivered' THEN id::text END, 0, 1, create_date, 1, create_date
          FROM governance_delivery WHERE subscription_id = %s
        ON CONFLICT DO NOTHING""", [subscription.id])

cr.execute("SELECT count(*) FROM governance_exception WHERE state = 'open'")
have_exceptions = cr.fetchone()[0]
if want_exceptions > have_exceptions:
    types = E["governance.exception.type"].sudo().search([])
    exception = E["governance.exception"].sudo().create({
        "exception_type_id": types[0].id, "category": types[0].category or "technical", "severity": "medium",
        "summary": "Scale bench exception"})
    exception_cols = columns("governance_exception")
    exception_overrides = {
        "name": "'BENCH-EXC/' || g",
        "exception_type_id": f"(ARRAY{types.ids})[1 + g %% {len(types)}]",
        "severity": "(ARRAY['low','medium','high','critical'])[1 + g %% 4]",
        "sla_due": "now() at time zone 'UTC' + (g %% 200 - 100) * interval '1 hour'",
    }
    cr.execute(f"""
        INSERT INTO governance_exception ({", ".join(exception_cols)})
        SELECT {", ".join(exception_overrides.get(col, f"t.{col}") for col in exception_cols)}
          FROM governance_exception t, generate_series(%(start)s, %(stop)s) g WHERE t.id = %(template)s
    """, {"start": have_exceptions + 1, "stop": want_exceptions, "template": exception.id})
cr.commit()
cr.execute("ANALYZE governance_approval_request; ANALYZE governance_approval_review; ANALYZE governance_event; "
           "ANALYZE governance_delivery; ANALYZE governance_exception; ANALYZE governance_outbox_counter")
cr.commit()
load_seconds = time.time() - started

Review = E["governance.approval.review"].sudo()
timings, queries = [], []
for _round in range(int(os.environ.get("DG_SCALE_ROUNDS", "3"))):
    E.invalidate_all()
    before = cr.sql_log_count
    with cr.savepoint(flush=False) as savepoint:
        tick = time.perf_counter()
        done = Review._cron_sla(batch_size=want_due)
        E.flush_all()
        timings.append(time.perf_counter() - tick)
        queries.append(cr.sql_log_count - before)
        savepoint.rollback()
    E.invalidate_all()
metrics = E["governance.metrics"]
render = []
for _round in range(5):
    tick = time.perf_counter()
    metrics._render()
    render.append(time.perf_counter() - tick)
counts = {}
for table in ("governance_approval_request", "governance_approval_review", "governance_event", "governance_delivery",
              "governance_delivery_claim", "governance_exception"):
    cr.execute(f"SELECT count(*) FROM {table}")
    counts[table] = cr.fetchone()[0]
cr.rollback()
print(json.dumps({"counts": counts, "load_seconds": round(load_seconds, 1), "sla_scan_done": done,
                  "sla_scan_ms": round(statistics.median(timings) * 1000, 1), "sla_scan_queries": statistics.median(queries),
                  "render_ms_in_process": round(statistics.median(render) * 1000, 1)}), flush=True)
