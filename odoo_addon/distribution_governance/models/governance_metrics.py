import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..lib import prometheus

TOKEN_PARAM = "distribution_governance.metrics_token"
CYCLE_WINDOW_DAYS = 30
# Upper bounds (hours) of the pending-approval age buckets; the last bucket is open-ended.
AGE_BUCKETS = [(1, "lt_1h"), (4, "1h_4h"), (24, "4h_24h"), (72, "1d_3d"), (168, "3d_7d")]
OPEN_EXCEPTION = ("open", "in_progress")

WAITING = """
    SELECT subscription_id, count(*), min(id)
      FROM governance_delivery
     WHERE state IN ('pending', 'retrying')
     GROUP BY subscription_id
"""
DEAD_LETTERS = """
    SELECT subscription_id, count(*) FROM governance_delivery WHERE state = 'dead_letter' GROUP BY subscription_id
"""
COUNTERS = """
    SELECT subscription_id, sum(delivered), sum(failed), sum(dead_lettered)
      FROM governance_outbox_counter GROUP BY subscription_id
"""
# Leased claims (governance.delivery.claim) whose execution has not confirmed its start yet, and
# how many of them are past their lease (the dispatcher delivers those again).
AWAITING_START = """
    SELECT subscription_id, count(*), count(*) FILTER (WHERE lease_until < %(now)s)
      FROM governance_delivery_claim
     WHERE state = 'claimed' AND lease_until IS NOT NULL
     GROUP BY subscription_id
"""
PENDING_APPROVALS = """
    SELECT width_bucket(extract(epoch FROM %(now)s - create_date) / 3600, %(bounds)s::float8[]), count(*)
      FROM governance_approval_request WHERE state = 'pending' GROUP BY 1
"""
PAST_SLA_REVIEWS = """
    SELECT count(*), count(*) FILTER (WHERE escalated)
      FROM governance_approval_review WHERE state = 'pending' AND date_due < %(now)s
"""
CYCLE_TIMES = """
    SELECT count(*), coalesce(sum(cycle_hours), 0),
           percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY cycle_hours)
      FROM governance_approval_request
     WHERE date_completed >= %(since)s AND state IN ('approved', 'rejected', 'changes_requested')
"""
OPEN_EXCEPTIONS = """
    SELECT kind.code, exception.severity, count(*),
           count(*) FILTER (WHERE exception.sla_due < %(now)s)
      FROM governance_exception exception
      JOIN governance_exception_type kind ON kind.id = exception.exception_type_id
     WHERE exception.state IN ('open', 'in_progress')
     GROUP BY kind.code, exception.severity
"""


class GovernanceMetrics(models.AbstractModel):
    """What the metrics endpoint (controllers/metrics.py) reports, in Prometheus text format.

    Every query reads rows that are waiting, pending or open (small, indexed), the append-only
    outbox counters, or one window of completed approvals: the cost follows what is in flight,
    not the size of the delivery log or the request history.
    """

    _name = "governance.metrics"
    _description = "Governance Metrics"

    def init(self):
        # The cycle-time summary reads only the last CYCLE_WINDOW_DAYS of completed requests.
        create_index(self.env.cr, "governance_approval_request_completed_index", "governance_approval_request",
                     ["date_completed"], where="date_completed IS NOT NULL")

    @api.model
    def _token(self):
        return (self.env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM) or "").strip()

    @api.model
    def _render(self):
        started = time.perf_counter()
        now = fields.Datetime.now()
        families = self._outbox_families(now) + self._approval_families(now) + self._exception_families(now)
        duration = prometheus.Family("dg_metrics_render_seconds", "gauge",
                                     "Time Odoo took to compute these metrics.")
        duration.add(round(time.perf_counter() - started, 6))
        return prometheus.render(families + [duration])

    def _outbox_families(self, now):
        cr = self.env.cr
        cr.execute(WAITING)
        waiting = {row[0]: (row[1], row[2]) for row in cr.fetchall()}
        oldest = {}
        if waiting:
            cr.execute("SELECT subscription_id, create_date FROM governance_delivery WHERE id = ANY(%s)",
                       [[first for _count, first in waiting.values()]])
            oldest = dict(cr.fetchall())
        cr.execute(DEAD_LETTERS)
        dead = dict(cr.fetchall())
        cr.execute(COUNTERS)
        counts = {row[0]: row[1:] for row in cr.fetchall()}
        cr.execute(AWAITING_START, {"now": now})
        awaiting = {row[0]: row[1:] for row in cr.fetchall()}
        cr.execute("SELECT id, name, active FROM governance_subscription WHERE active OR id = ANY(%s) ORDER BY id",
                   [list(set(waiting) | set(dead) | set(awaiting))])
        subscriptions = cr.fetchall()

        f_waiting = prometheus.Family("dg_outbox_waiting", "gauge",
                                      "Deliveries waiting to be sent (pending or retrying), per subscription.")
        f_oldest = prometheus.Family("dg_outbox_oldest_waiting_age_seconds", "gauge",
                                     "Age of the oldest waiting delivery (0 when none waits).")
        f_dead = prometheus.Family("dg_outbox_dead_letters", "gauge",
                                   "Deliveries dead-lettered now (a replay takes them out).")
        f_attempts = prometheus.Family("dg_outbox_attempts_total", "counter",
                                       "Delivery attempts by outcome since the counters began.")
        f_dead_total = prometheus.Family("dg_outbox_dead_lettered_total", "counter",
                                         "Deliveries dead-lettered since the counters began.")
        f_rate = prometheus.Family("dg_outbox_failure_ratio", "gauge",
                                   "Failed attempts / all attempts since the counters began; for a window "
                                   "use rate() of dg_outbox_attempts_total.")
        f_awaiting = prometheus.Family("dg_outbox_claims_awaiting_start", "gauge",
                                       "Events a receiver claimed whose execution has not confirmed its start yet.")
        f_overdue = prometheus.Family("dg_outbox_claims_start_overdue", "gauge",
                                      "Of those, the ones past the subscription's start timeout (delivered again).")
        for subscription_id, name, active in subscriptions:
            labels = {"subscription": subscription_id, "name": name or "", "active": "true" if active else "false"}
            count, _first = waiting.get(subscription_id, (0, None))
            f_waiting.add(count, **labels)
            first_at = oldest.get(subscription_id)
            f_oldest.add(round((now - first_at).total_seconds(), 3) if first_at else 0, **labels)
            f_dead.add(dead.get(subscription_id, 0), **labels)
            delivered, failed, dead_total = (int(value or 0) for value in counts.get(subscription_id, (0, 0, 0)))
            f_attempts.add(delivered, outcome="delivered", **labels)
            f_attempts.add(failed, outcome="failed", **labels)
            f_dead_total.add(dead_total, **labels)
            f_rate.add(round(failed / (delivered + failed), 6) if delivered + failed else 0.0, **labels)
            claimed, overdue = awaiting.get(subscription_id, (0, 0))
            f_awaiting.add(claimed, **labels)
            f_overdue.add(overdue, **labels)
        return [f_waiting, f_oldest, f_dead, f_attempts, f_dead_total, f_rate, f_awaiting, f_overdue]

    def _approval_families(self, now):
        cr = self.env.cr
        labels = [label for _hours, label in AGE_BUCKETS] + ["gt_7d"]
        buckets = dict.fromkeys(labels, 0)
        # width_bucket: 0 below the first bound (under 1 h), i from bound i up to bound i + 1.
        cr.execute(PENDING_APPROVALS, {"now": now, "bounds": [hours for hours, _label in AGE_BUCKETS]})
        for index, count in cr.fetchall():
            buckets[labels[min(index, len(labels) - 1)]] += count
        f_pending = prometheus.Family("dg_approvals_pending", "gauge",
                                      "Pending approval requests by age since the request.")
        for label, count in buckets.items():
            f_pending.add(count, age=label)
        cr.execute(PAST_SLA_REVIEWS, {"now": now})
        past, escalated = cr.fetchone()
        f_breach = prometheus.Family("dg_approval_reviews_past_sla", "gauge",
                                     "Pending reviews past their SLA due time (escalated: already escalated).")
        f_breach.add(past - escalated, escalated="false").add(escalated, escalated="true")
        cr.execute(CYCLE_TIMES, {"since": now - timedelta(days=CYCLE_WINDOW_DAYS)})
        count, total, quantiles = cr.fetchone()
        f_cycle = prometheus.Family("dg_approval_cycle_hours", "summary",
                                    f"Hours from request to final decision, requests decided in the last "
                                    f"{CYCLE_WINDOW_DAYS} days.")
        for share, value in zip(("0.5", "0.9", "0.99"), quantiles or (None, None, None)):
            f_cycle.add(round(value, 3) if value is not None else None, quantile=share)
        f_cycle.add(round(float(total), 3), "_sum").add(count, "_count")
        return [f_pending, f_breach, f_cycle]

    def _exception_families(self, now):
        cr = self.env.cr
        cr.execute(OPEN_EXCEPTIONS, {"now": now})
        f_open = prometheus.Family("dg_exceptions_open", "gauge", "Open exceptions by type and severity.")
        f_past = prometheus.Family("dg_exceptions_past_sla", "gauge", "Open exceptions past their SLA due time.")
        for code, severity, count, past in cr.fetchall():
            f_open.add(count, type=code, severity=severity)
            f_past.add(past, type=code, severity=severity)
        return [f_open, f_past]
