from odoo import api, fields, models

PENDING_FLAG = "distribution_governance.outbox_counts"

# Counts so far, for a database that had deliveries before the counters existed.
BASELINE = """
    INSERT INTO governance_outbox_counter (subscription_id, delivered, failed, dead_lettered)
    SELECT subscription_id,
           count(*) FILTER (WHERE state = 'delivered'),
           coalesce(sum(failed_attempt_count), 0),
           count(*) FILTER (WHERE state = 'dead_letter')
      FROM governance_delivery
     GROUP BY subscription_id
"""


class GovernanceOutboxCounter(models.Model):
    """Delivery outcomes counted as they happen, for the metrics endpoint (Prometheus counters).

    Append-only: each transaction that records delivery attempts adds one row per subscription
    just before it commits, so concurrent dispatchers never update (and never wait on or fail to
    serialise over) a shared row. Reading sums a few rows per dispatcher batch instead of
    counting the whole delivery log; the daily purge folds them into one row per subscription.
    """

    _name = "governance.outbox.counter"
    _description = "Outbox Delivery Counter"
    _log_access = False

    subscription_id = fields.Many2one("governance.subscription", required=True, ondelete="cascade", index=True)
    delivered = fields.Integer()
    failed = fields.Integer(help="Failed attempts (a delivery that fails three times counts three).")
    dead_lettered = fields.Integer()

    def init(self):
        cr = self.env.cr
        cr.execute("SELECT 1 FROM governance_outbox_counter LIMIT 1")
        if not cr.fetchone():
            cr.execute(BASELINE)

    @api.model
    def _count(self, subscription_id, outcome):
        """Count one attempt's ``outcome`` (delivered, failed, dead_lettered) when this transaction commits."""
        precommit = self.env.cr.precommit
        counts = precommit.data.get(PENDING_FLAG)
        if counts is None:
            counts = precommit.data[PENDING_FLAG] = {}
            precommit.add(self._flush_counts)
        row = counts.setdefault(subscription_id, {"delivered": 0, "failed": 0, "dead_lettered": 0})
        row[outcome] += 1
        if outcome == "dead_lettered":
            row["failed"] += 1

    def _flush_counts(self):
        counts = self.env.cr.precommit.data.pop(PENDING_FLAG, {})
        rows = [(key, row["delivered"], row["failed"], row["dead_lettered"]) for key, row in counts.items()]
        if rows:
            self.env.cr.execute(
                "INSERT INTO governance_outbox_counter (subscription_id, delivered, failed, dead_lettered) "
                "SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[])",
                [list(column) for column in zip(*rows)])

    @api.model
    def _compact(self):
        """Fold the rows into one per subscription (the purge cron); totals are unchanged."""
        cr = self.env.cr
        cr.execute("LOCK TABLE governance_outbox_counter IN EXCLUSIVE MODE")
        cr.execute("""
            WITH removed AS (DELETE FROM governance_outbox_counter RETURNING *)
            INSERT INTO governance_outbox_counter (subscription_id, delivered, failed, dead_lettered)
            SELECT subscription_id, sum(delivered), sum(failed), sum(dead_lettered) FROM removed GROUP BY subscription_id
        """)
