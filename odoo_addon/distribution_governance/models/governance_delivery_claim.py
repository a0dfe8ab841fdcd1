import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import MissingError
from odoo.tools.sql import create_index

from ..lib import outbox
from ..lib.errors import coded

_logger = logging.getLogger(__name__)

# The event, if it was ever queued for the subscription. A plain read: it never waits on the
# delivery rows the dispatcher holds (SELECT ... FOR UPDATE) while it posts to the receiver.
QUEUED_EVENT = """
    SELECT event.id
      FROM governance_event event
     WHERE event.event_uid = %(event_uid)s
       AND EXISTS (SELECT 1 FROM governance_delivery delivery
                    WHERE delivery.event_id = event.id AND delivery.subscription_id = %(subscription_id)s)
"""

# Exactly one of any number of concurrent claims inserts the row; the others wait for it to
# commit and then insert nothing (under Odoo's REPEATABLE READ they fail to serialise first, and
# Odoo's RPC layer runs them again on a fresh snapshot, where they find the row).
CLAIM = """
    INSERT INTO governance_delivery_claim
           (subscription_id, event_id, claim_key, claimed_by_id, state, claimed_at, lease_until,
            create_uid, write_uid, create_date, write_date)
    VALUES (%(subscription_id)s, %(event_id)s, %(claim_key)s, %(user_id)s, 'claimed', %(now)s, %(lease_until)s,
            %(user_id)s, %(user_id)s, %(now)s, %(now)s)
    ON CONFLICT (subscription_id, event_id) DO NOTHING
    RETURNING id
"""

# A leased claim whose execution never confirmed its start in time is taken over by the next
# claim (the event's redelivery). Concurrent takeovers update one row: one wins, the others
# fail to serialise and are run again by Odoo's RPC layer, where they find the new lease.
TAKE_OVER = """
    UPDATE governance_delivery_claim
       SET claim_key = %(claim_key)s, claimed_by_id = %(user_id)s, claimed_at = %(now)s,
           lease_until = %(lease_until)s, takeover_count = COALESCE(takeover_count, 0) + 1,
           write_uid = %(user_id)s, write_date = %(now)s
     WHERE subscription_id = %(subscription_id)s AND event_id = %(event_id)s
       AND state = 'claimed' AND lease_until IS NOT NULL AND lease_until < %(now)s
       AND %(lease_until)s IS NOT NULL
    RETURNING id
"""

# The first execution to confirm runs the event, whichever lease queued it.
START = """
    UPDATE governance_delivery_claim
       SET state = 'started', started_at = %(now)s, execution_ref = %(execution_ref)s,
           claim_key = %(claim_key)s, write_uid = %(user_id)s, write_date = %(now)s
     WHERE subscription_id = %(subscription_id)s AND event_id = %(event_id)s
       AND state = 'claimed' AND lease_until IS NOT NULL
    RETURNING id
"""

# Events delivered (the receiver answered 2xx) whose claimed execution never started in time:
# the receiver stopped between the claim and queuing it, or lost it from its queue.
UNSTARTED = """
    SELECT claim.id, delivery.id
      FROM governance_delivery_claim claim
      JOIN governance_delivery delivery
        ON delivery.subscription_id = claim.subscription_id AND delivery.event_id = claim.event_id
     WHERE claim.state = 'claimed' AND claim.lease_until IS NOT NULL AND claim.lease_until < %(now)s
       AND delivery.state = 'delivered'
     ORDER BY claim.lease_until
     LIMIT %(limit)s
       FOR UPDATE OF delivery SKIP LOCKED
"""


class GovernanceDeliveryClaim(models.Model):
    """The receiver's claim on one event of one subscription: one event, at most one execution.

    A receiver (the n8n trigger) claims an event before it starts a workflow for it; a
    redelivery, or a copy arriving at another receiving process at the same moment, finds the
    claim and starts nothing. The row lives beside the delivery, not in it, because the
    dispatcher holds the delivery row locked while it waits for the receiver's answer.

    A receiver that confirms starts claims with a lease (the subscription's start timeout): the
    execution it queued confirms when it starts (``_start``), and the first to confirm runs the
    event. A lease that runs out unconfirmed means the execution was never queued or was lost;
    the dispatcher then delivers the event again (``_redeliver_unstarted``) and the next claim
    takes the lease over, so a receiver's crash between claim and queue loses nothing.
    """

    _name = "governance.delivery.claim"
    _description = "Event Delivery Claim"
    _order = "id desc"
    _rec_name = "event_id"

    subscription_id = fields.Many2one("governance.subscription", required=True, readonly=True,
                                      ondelete="cascade", index=True)
    event_id = fields.Many2one("governance.event", required=True, readonly=True, ondelete="cascade", index=True)
    event_uid = fields.Char(related="event_id.event_uid", string="Event ID")
    claim_key = fields.Char(readonly=True, help="The receiver's key for this claim; a retry with it is answered the same.")
    claimed_by_id = fields.Many2one("res.users", "Claimed By", readonly=True)
    claimed_at = fields.Datetime(readonly=True, help="When the current claim was made (or its lease taken over).")
    state = fields.Selection([("claimed", "Claimed"), ("started", "Started")], default="claimed",
                             required=True, readonly=True)
    lease_until = fields.Datetime("Start Due By", readonly=True,
                                  help="A claim whose execution confirms its start: the event is delivered again "
                                       "when no execution has started by then. Empty: the claim is final.")
    takeover_count = fields.Integer("Lease Takeovers", readonly=True)
    started_at = fields.Datetime(readonly=True)
    execution_ref = fields.Char("Execution", readonly=True, help="The receiver's execution that runs the event.")

    _sql_constraints = [
        ("subscription_event_unique", "UNIQUE(subscription_id, event_id)",
         "An event is claimed once per subscription."),
    ]

    def init(self):
        # The dispatcher's look for leases run out reads unstarted leased claims only.
        create_index(self.env.cr, "governance_delivery_claim_lease_index", self._table, ["lease_until"],
                     where="state = 'claimed' AND lease_until IS NOT NULL")
        # rerun_crashed_execution finds a claim by the execution that started its event.
        create_index(self.env.cr, "governance_delivery_claim_execution_index", self._table, ["execution_ref"],
                     where="execution_ref IS NOT NULL")

    @api.model
    def _queued_event(self, subscription, event_uid):
        cr = self.env.cr
        cr.execute(QUEUED_EVENT, {"event_uid": event_uid, "subscription_id": subscription.id})
        row = cr.fetchone()
        if not row:
            raise MissingError(coded("not_found", _("Event %(event)s was never queued for subscription %(subscription)s.",
                                                    event=event_uid, subscription=subscription.id)))
        return row[0]

    @api.model
    def _claim(self, subscription, event_uid, claim_key, confirms_start=False):
        """Claim ``event_uid`` for ``subscription`` as the current user; the API's result."""
        cr = self.env.cr
        event_id = self._queued_event(subscription, event_uid)
        now = fields.Datetime.now()
        params = {"subscription_id": subscription.id, "event_id": event_id, "claim_key": claim_key,
                  "user_id": self.env.user.id, "now": now,
                  "lease_until": now + timedelta(seconds=subscription.start_timeout_seconds) if confirms_start else None}
        cr.execute(CLAIM, params, log_exceptions=False)
        won = bool(cr.fetchone())
        if not won:
            cr.execute(TAKE_OVER, params, log_exceptions=False)
            won = bool(cr.fetchone())
            if won:
                _logger.info("Event %s of subscription %s: no execution started within the lease; claim taken over",
                             event_uid, subscription.id)
        cr.execute("SELECT claim_key, claimed_by_id, COALESCE(claimed_at, create_date), state"
                   " FROM governance_delivery_claim WHERE subscription_id = %s AND event_id = %s",
                   [subscription.id, event_id])
        stored_key, claimed_by_id, claimed_at, state = cr.fetchone()
        self.invalidate_model()
        return {
            "claimed": won or (stored_key == claim_key and claimed_by_id == params["user_id"] and state == "claimed"),
            "started": state == "started",
            "subscription_id": subscription.id,
            "event_id": event_uid,
            "claimed_at": claimed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @api.model
    def _start(self, subscription, event_uid, claim_key, execution_ref=""):
        """An execution confirms it starts for ``event_uid``; the API's result (started: run it or not)."""
        cr = self.env.cr
        event_id = self._queued_event(subscription, event_uid)
        params = {"subscription_id": subscription.id, "event_id": event_id, "claim_key": claim_key,
                  "execution_ref": execution_ref or None, "user_id": self.env.user.id,
                  "now": fields.Datetime.now()}
        cr.execute(START, params, log_exceptions=False)
        won = bool(cr.fetchone())
        cr.execute("SELECT claim_key, state, lease_until, execution_ref, started_at FROM governance_delivery_claim"
                   " WHERE subscription_id = %s AND event_id = %s", [subscription.id, event_id])
        row = cr.fetchone()
        self.invalidate_model()
        if not row or not row[2]:  # a claim made without confirms_start has no lease, never a start
            raise MissingError(coded("not_found", _(
                "Event %(event)s has no claim awaiting its start for subscription %(subscription)s.",
                event=event_uid, subscription=subscription.id)))
        stored_key, state, _lease, stored_ref, started_at = row
        if not won and state == "started" and stored_key != claim_key:
            _logger.info("Event %s of subscription %s already runs in execution %s; execution %s does nothing",
                         event_uid, subscription.id, stored_ref or "?", execution_ref or "?")
        return {
            "started": state == "started" and stored_key == claim_key,
            "subscription_id": subscription.id,
            "event_id": event_uid,
            "execution_id": stored_ref or "",
            "started_at": (started_at or fields.Datetime.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @api.model
    def _redeliver_unstarted(self, limit=500):
        """Deliver again the events whose claimed execution did not start within its lease.

        The delivery goes back to waiting at once (its attempts so far count: a receiver that keeps
        claiming without ever starting is dead-lettered like one that keeps failing). Returns how
        many deliveries were put back.
        """
        cr = self.env.cr
        self.flush_model()
        cr.execute(UNSTARTED, {"now": fields.Datetime.now(), "limit": limit})
        rows = cr.fetchall()
        deliveries = self.env["governance.delivery"].sudo().browse([row[1] for row in rows])
        now = fields.Datetime.now()
        for delivery in deliveries:
            seconds = delivery.subscription_id.start_timeout_seconds
            error = _("delivered, but no execution started within %s s; delivering again", seconds)
            if outbox.is_last_attempt(delivery.attempt_count):
                delivery._dead_letter({"last_error": error})
            else:
                delivery.write({"state": "retrying", "next_attempt_at": now, "last_error": error})
        if deliveries:
            _logger.info("Outbox: %s delivered events had no execution started within their lease; delivering again",
                         len(deliveries))
        return len(deliveries)

    @api.model
    def _rerun_crashed(self, user, execution_ref, workflow_name=""):
        """Deliver again the event that execution ``execution_ref`` started for one of ``user``'s
        subscriptions and never finished (the receiver reports it crashed); the API's result."""
        claim = self.search([("execution_ref", "=", execution_ref), ("state", "=", "started"),
                             ("subscription_id.registered_by_id", "=", user.id)], limit=1)
        subscription = claim.subscription_id
        delivery = self.env["governance.delivery"].sudo().search([
            ("subscription_id", "=", subscription.id), ("event_id", "=", claim.event_id.id)], limit=1)
        if not claim or not delivery or not subscription.active:
            return {"rerun": False, "execution_id": execution_ref, "event_id": "", "subscription_id": 0}
        event_uid = claim.event_id.event_uid
        claim.unlink()
        delivery._requeue()
        subscription._audit(
            _("Execution %(execution)s%(workflow)s crashed before it finished %(event)s; the event is delivered "
              "again to %(name)s", execution=execution_ref, event=event_uid, name=subscription.name,
              workflow=f" ({workflow_name})" if workflow_name else ""),
            delivery_id=delivery.id, event_id=event_uid, execution_id=execution_ref)
        return {"rerun": True, "execution_id": execution_ref, "event_id": event_uid,
                "subscription_id": subscription.id}

    @api.model
    def _release(self, deliveries):
        """Drop the claims on the events of ``deliveries``: a replayed event may run again."""
        claims = self.sudo().search([("subscription_id", "in", deliveries.subscription_id.ids),
                                     ("event_id", "in", deliveries.event_id.ids)])
        pairs = {(delivery.subscription_id.id, delivery.event_id.id) for delivery in deliveries}
        released = claims.filtered(lambda claim: (claim.subscription_id.id, claim.event_id.id) in pairs)
        released_pairs = {(claim.subscription_id.id, claim.event_id.id) for claim in released}
        released.unlink()
        return released_pairs
