from odoo import _, api, fields, models
from odoo.exceptions import MissingError

from ..lib.errors import coded

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
           (subscription_id, event_id, claim_key, claimed_by_id, create_uid, write_uid, create_date, write_date)
    VALUES (%(subscription_id)s, %(event_id)s, %(claim_key)s, %(user_id)s, %(user_id)s, %(user_id)s,
            %(now)s, %(now)s)
    ON CONFLICT (subscription_id, event_id) DO NOTHING
    RETURNING id
"""


class GovernanceDeliveryClaim(models.Model):
    """The receiver's claim on one event of one subscription: one event, at most one execution.

    A receiver (the n8n trigger) claims an event before it starts a workflow for it; a
    redelivery, or a copy arriving at another receiving process at the same moment, finds the
    claim and starts nothing. The row lives beside the delivery, not in it, because the
    dispatcher holds the delivery row locked while it waits for the receiver's answer.
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

    _sql_constraints = [
        ("subscription_event_unique", "UNIQUE(subscription_id, event_id)",
         "An event is claimed once per subscription."),
    ]

    @api.model
    def _claim(self, subscription, event_uid, claim_key):
        """Claim ``event_uid`` for ``subscription`` as the current user; the API's result."""
        cr = self.env.cr
        cr.execute(QUEUED_EVENT, {"event_uid": event_uid, "subscription_id": subscription.id})
        row = cr.fetchone()
        if not row:
            raise MissingError(coded("not_found", _("Event %(event)s was never queued for subscription %(subscription)s.",
                                                    event=event_uid, subscription=subscription.id)))
        event_id = row[0]
        user_id = self.env.user.id
        cr.execute(CLAIM, {"subscription_id": subscription.id, "event_id": event_id, "claim_key": claim_key,
                           "user_id": user_id, "now": fields.Datetime.now()}, log_exceptions=False)
        inserted = bool(cr.fetchone())
        cr.execute("SELECT claim_key, claimed_by_id, create_date FROM governance_delivery_claim"
                   " WHERE subscription_id = %s AND event_id = %s", [subscription.id, event_id])
        stored_key, claimed_by_id, claimed_at = cr.fetchone()
        return {
            "claimed": inserted or (stored_key == claim_key and claimed_by_id == user_id),
            "subscription_id": subscription.id,
            "event_id": event_uid,
            "claimed_at": claimed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

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
