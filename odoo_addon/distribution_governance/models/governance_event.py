import json
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, models

from ..lib import outbox
from ..lib.api_params import EVENT_TYPES

_logger = logging.getLogger(__name__)

RETENTION_PARAMETER = "distribution_governance.outbox_retention_days"
DEFAULT_RETENTION_DAYS = 30
PURGE_BATCH = 1000
# Old events whose every delivery is done (delivered or cancelled), oldest first. An event with a
# waiting or dead-lettered delivery stays, so whatever may still be sent or replayed is kept.
PURGEABLE = """
    SELECT event.id
      FROM governance_event event
     WHERE event.create_date < %(cutoff)s
       AND NOT EXISTS (SELECT 1 FROM governance_delivery delivery
                        WHERE delivery.event_id = event.id AND delivery.state NOT IN ('delivered', 'cancelled'))
     ORDER BY event.create_date, event.id
     LIMIT %(limit)s
"""


def person(user):
    """A user as the contract's data schemas write one (or None)."""
    return {"login": user.login, "name": user.name, "email": user.email or None} if user else None


class GovernanceEvent(models.Model):
    """The transactional outbox: one CloudEvents envelope per business event.

    ``_emit`` writes the event, and one delivery per matching subscription, in the transaction
    of the change that caused it, so a rolled-back change emits nothing and a committed one
    always does. Delivery happens after commit, by the dispatcher (governance.delivery).
    """

    _name = "governance.event"
    _description = "Governance Outbox Event"
    _order = "id desc"
    _rec_name = "event_uid"

    event_uid = fields.Char("Event ID", required=True, readonly=True, index=True,
                            help="The envelope's id: receivers drop an id they have seen.")
    event_type = fields.Selection([(event["type"], event["type"]) for event in EVENT_TYPES],
                                  "Type", required=True, readonly=True, index=True)
    subject = fields.Char(required=True, readonly=True, index=True, help="<model>/<id> of the document.")
    res_model = fields.Char("Document Model", readonly=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", readonly=True)
    sequence = fields.Integer(readonly=True, help="Position among the events of the same document.")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    body = fields.Text(readonly=True, help="The envelope exactly as delivered (canonical JSON).")
    delivery_ids = fields.One2many("governance.delivery", "event_id", "Deliveries", readonly=True)
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    document_name = fields.Char("Document", compute="_compute_document_name",
                                help="The document the event is about, by its name.")

    # Indexed for the retention purge, which looks for the oldest events.
    create_date = fields.Datetime(readonly=True, index=True)

    _sql_constraints = [
        ("event_uid_unique", "UNIQUE(event_uid)", "An event id is used once."),
    ]

    def _compute_delivery_count(self):
        counts = dict(self.env["governance.delivery"]._read_group(
            [("event_id", "in", self.ids)], ["event_id"], ["__count"]))
        for event in self:
            event.delivery_count = counts.get(event, 0)

    @api.depends("subject")
    def _compute_document_name(self):
        names = self.env["governance.event.subject"]._document_names(self.mapped("subject"))
        for event in self:
            event.document_name = names.get(event.subject) or False

    @api.model
    def _source(self):
        """The envelope's source: odoo://<host of web.base.url>/<database>."""
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return f"odoo://{urlsplit(base_url).netloc or 'localhost'}/{self.env.cr.dbname}"

    @api.model
    def _emit(self, event_type, record, data, company=None, subscriptions=None):
        """Write one event about ``record`` and queue it for every matching subscription.

        ``subscriptions`` restricts the delivery to those (a test ping goes to one only).
        """
        record.ensure_one()
        subject = f"{record._name}/{record.id}"
        if company is None:
            company = record.sudo().company_id if "company_id" in record._fields else self.env.company
        # Also serialises the writers of one document's events until they commit, so that the event
        # ids and sequences of a document follow commit order (the dispatcher's ordering rule relies
        # on it).
        sequence = self.env["governance.event.subject"]._next_sequence(subject)
        event_uid = "evt_" + uuid.uuid4().hex
        envelope = outbox.envelope(event_uid, event_type, self._source(), fields.Datetime.now(), subject,
                                   sequence, data, company=company.name or None)
        event = self.sudo().create({
            "event_uid": event_uid,
            "event_type": event_type,
            "subject": subject,
            "res_model": record._name,
            "res_id": record.id,
            "sequence": sequence,
            "company_id": company.id,
            "body": outbox.envelope_body(envelope).decode("utf-8"),
        })
        if subscriptions is None:
            subscriptions = self.env["governance.subscription"].sudo()._matching(event_type, company, record._name)
        if subscriptions:
            self.env["governance.delivery"].sudo()._queue(event, subscriptions)
        return event

    @api.model
    def _retention_days(self):
        """Days events are kept after their deliveries are done (0 keeps them for ever)."""
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAMETER, str(DEFAULT_RETENTION_DAYS))
        try:
            days = int(value)
        except (TypeError, ValueError):
            days = -1
        if days < 0:
            _logger.warning("System parameter %s must be a whole number of days (0 keeps events for ever), not %r; "
                            "using %s", RETENTION_PARAMETER, value, DEFAULT_RETENTION_DAYS)
            return DEFAULT_RETENTION_DAYS
        return days

    @api.model
    def _cron_purge(self, batch_size=PURGE_BATCH):
        """Delete one batch of events past the retention whose deliveries are all done, with those
        deliveries; return how many events went. The per-document sequence counters stay."""
        self.env["governance.outbox.counter"]._compact()
        days = self._retention_days()
        if not days:
            return 0
        cutoff = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(PURGEABLE, {"cutoff": cutoff, "limit": batch_size})
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.env.flush_all()
            # Plain SQL: a batch is thousands of rows nobody reads any more, and the ORM would load them.
            self.env.cr.execute("DELETE FROM governance_delivery WHERE event_id = ANY(%s)", [ids])
            self.env.cr.execute("DELETE FROM governance_event WHERE id = ANY(%s)", [ids])
            self.env.invalidate_all()
        # A full batch means there may be more: Odoo runs the cron again at once.
        self.env["ir.cron"]._notify_progress(done=len(ids), remaining=1 if len(ids) == batch_size else 0)
        return len(ids)

    def envelope(self):
        """The envelope as a dict."""
        self.ensure_one()
        return json.loads(self.body)

    # -- approval events (called by the approval engine where the change happens) -------------

    @api.model
    def _document_data(self, request):
        """The contract's document object of an approval request's document."""
        facts = json.loads(request.facts or "{}")
        document = {"model": request.res_model, "id": request.res_id, "name": request.document_name or "",
                    "company": request.company_id.name}
        if facts.get("amount") is not None:
            document["amount"] = facts["amount"]
            document["currency"] = facts.get("currency") or request.company_id.currency_id.name
        return document

    @api.model
    def _request_data(self, request):
        return {"id": request.id, "ref": request.name, "state": request.state}

    @api.model
    def _emit_for_request(self, event_type, request, data):
        request = request.sudo()
        base = {"request": self._request_data(request), "document": self._document_data(request)}
        return self._emit(event_type, request._document(), dict(base, **data), company=request.company_id)

    @api.model
    def _policy_data(self, request):
        return {"name": request.policy_id.name, "version": request.policy_version,
                "content_hash": request.policy_content_hash}

    @api.model
    def _pending_reviews_data(self, request):
        """The request's open reviews, each with who may decide it now (the contract's pending_reviews)."""
        return [{
            "review_id": review.id,
            "level": review.level,
            "tier_name": review.tier_name,
            "due": outbox.timestamp(review.date_due),
            "confirm_with_password": review.confirm_with_password,
            "eligible_approvers": [review._approver_data(user) for user in review.eligible_user_ids],
        } for review in request.review_ids.filtered(lambda review: review.state == "pending")]

    @api.model
    def _emit_approval_requested(self, request):
        request = request.sudo()
        evaluation = json.loads(request.evaluation)
        return self._emit_for_request("approval.requested", request, {
            "document": dict(self._document_data(request), **request._document_glance()),
            "requester": person(request.requester_id),
            "outcome": request.outcome,
            "policy": self._policy_data(request),
            "matched_rules": evaluation["matched_rules"],
            "missing_facts": evaluation["missing_facts"],
            "reasons": evaluation["reasons"],
            "levels": evaluation["levels"],
            "pending_reviews": self._pending_reviews_data(request),
            "context": json.loads(request.approval_context or "[]"),
        })

    @api.model
    def _emit_approval_level_opened(self, request):
        """A later level opened: its reviewers are told as level 1's were by approval.requested."""
        request = request.sudo()
        evaluation = json.loads(request.evaluation)
        level = request.current_level
        rules = {rule for entry in evaluation["levels"] if entry["level"] == level for rule in entry["tiers"]}
        return self._emit_for_request("approval.level_opened", request, {
            "document": dict(self._document_data(request), **request._document_glance()),
            "requester": person(request.requester_id),
            "level": level,
            "policy": self._policy_data(request),
            "reasons": [reason for reason in evaluation["reasons"] if reason["rule"] in rules],
            "pending_reviews": self._pending_reviews_data(request),
            "context": json.loads(request.approval_context or "[]"),
        })

    @api.model
    def _emit_approval_decided(self, decision):
        decision = decision.sudo()
        review = decision.review_id
        return self._emit_for_request("approval.decided", review.request_id, {
            "review_id": review.id,
            "level": review.level,
            "tier_name": review.tier_name,
            "outcome": decision.outcome,
            "actor": person(decision.user_id),
            "on_behalf_of": person(decision.on_behalf_of_id),
            "comment": decision.comment or None,
            "conditions": decision.conditions or None,
            "decided_at": outbox.timestamp(decision.create_date or fields.Datetime.now()),
        })

    @api.model
    def _emit_approval_escalated(self, review, reason, targets):
        review = review.sudo()
        return self._emit_for_request("approval.escalated", review.request_id, {
            "review_id": review.id,
            "reason": reason,
            "level": review.level,
            "tier_name": review.tier_name,
            "escalated_to": [person(user) for user in targets],
            "due": outbox.timestamp(review.date_due),
        })

    @api.model
    def _emit_approval_completed(self, request):
        request = request.sudo()
        closing = request.decision_ids.sorted("id")[-1:] if request.state != "cancelled" else request.decision_ids.browse()
        return self._emit_for_request("approval.completed", request, {
            "result": request.state,
            "requester": person(request.requester_id),
            "closing_decision": {
                "review_id": closing.review_id.id,
                "level": closing.review_id.level,
                "tier_name": closing.review_id.tier_name,
                "outcome": closing.outcome,
                "actor": person(closing.user_id),
                "on_behalf_of": person(closing.on_behalf_of_id),
                "comment": closing.comment or None,
            } if closing else None,
            "conditions": [line for line in (request.conditions or "").split("\n") if line.strip()],
            "completed_at": outbox.timestamp(request.date_completed or fields.Datetime.now()),
        })
