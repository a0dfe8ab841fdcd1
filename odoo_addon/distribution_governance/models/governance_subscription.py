from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import outbox, signature, webhook_client
from ..lib.api_params import EVENT_TYPES

GRACE_PARAMETER = "distribution_governance.secret_grace_hours"
ALLOW_PRIVATE_PARAMETER = "distribution_governance.allow_private_urls"
ALLOW_LOOPBACK_PARAMETER = "distribution_governance.allow_loopback_urls"
DEFAULT_GRACE_HOURS = 24
FAILURE_RATE_WINDOW = timedelta(hours=24)


def _enabled(value):
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


class GovernanceSubscription(models.Model):
    """A receiver of outbox events: URL, event types, filters and the secret that signs for it.

    The n8n trigger registers one through the write-back API; managers may add others by hand.
    A rotated secret keeps signing next to the new one for a grace period (Standard Webhooks
    allows several signatures in one header), so receivers can switch without losing events.
    """

    _name = "governance.subscription"
    _description = "Event Subscription"
    _order = "active desc, id desc"

    name = fields.Char(required=True)
    url = fields.Char("Target URL", required=True)
    active = fields.Boolean(default=True)
    origin = fields.Selection([("manual", "Configured in Odoo"), ("api", "Registered over the API")],
                              default="manual", required=True, readonly=True)
    event_types = fields.Text(
        required=True, default=lambda self: ",".join(event["type"] for event in EVENT_TYPES),
        help="Comma-separated event types this subscription receives (contract/events/event-types.json).",
    )
    company_ids = fields.Many2many("res.company", string="Companies",
                                   help="Only events of these companies; all when empty.")
    document_models = fields.Char("Document Models",
                                  help="Comma-separated document models (e.g. purchase.order); all when empty.")
    secret = fields.Char(required=True, copy=False, groups="distribution_governance.group_manager",
                         default=lambda self: signature.generate_secret())
    previous_secret = fields.Char(copy=False, readonly=True, groups="distribution_governance.group_manager")
    previous_secret_expiry = fields.Datetime("Previous Secret Signs Until", copy=False, readonly=True)
    timeout_seconds = fields.Integer("Timeout (s)", default=10, required=True,
                                     help="How long one delivery waits for the receiver's answer.")
    start_timeout_seconds = fields.Integer(
        "Start Timeout (s)", default=300, required=True,
        help="For receivers that confirm the start of each execution (the n8n trigger): how long a claimed "
             "event may wait for its execution to start before Odoo delivers it again.")
    registered_by_id = fields.Many2one("res.users", "Registered By", readonly=True,
                                       default=lambda self: self.env.user)
    removed_at = fields.Datetime(readonly=True, copy=False,
                                 help="When the subscription was removed; its delivery log is kept.")
    delivery_ids = fields.One2many("governance.delivery", "subscription_id", "Deliveries", readonly=True)
    backlog_count = fields.Integer("Backlog", compute="_compute_delivery_stats",
                                   help="Deliveries waiting for their first or next attempt.")
    dead_letter_count = fields.Integer("Dead Letters", compute="_compute_delivery_stats")
    delivered_count = fields.Integer("Delivered", compute="_compute_delivery_stats")
    failure_rate = fields.Float("Failure Rate (24 h)", compute="_compute_delivery_stats", digits=(16, 3),
                                help="Share of the attempts of the last 24 hours that failed.")
    last_delivery_at = fields.Datetime("Last Delivered", compute="_compute_delivery_stats")

    _sql_constraints = [
        ("timeout_positive", "CHECK(timeout_seconds > 0 AND timeout_seconds <= 60)",
         "The delivery timeout is between 1 and 60 seconds."),
        ("start_timeout_range", "CHECK(start_timeout_seconds >= 30 AND start_timeout_seconds <= 86400)",
         "The start timeout is between 30 seconds and one day."),
    ]

    @api.constrains("url")
    def _check_url(self):
        for subscription in self:
            problem = self._url_problem(subscription.url)
            if problem:
                raise ValidationError(_("The target URL of %(name)s %(problem)s.", name=subscription.name, problem=problem))

    @api.model
    def _url_problem(self, url):
        """Why deliveries may not go to ``url`` under the current settings, or None."""
        get = self.env["ir.config_parameter"].sudo().get_param
        try:
            webhook_client.check_destination(
                url, allow_private=_enabled(get(ALLOW_PRIVATE_PARAMETER)),
                allow_loopback=_enabled(get(ALLOW_LOOPBACK_PARAMETER, "True")))
        except webhook_client.DestinationRefused as refusal:
            return str(refusal)
        return None

    @api.constrains("event_types")
    def _check_event_types(self):
        known = {event["type"] for event in EVENT_TYPES}
        for subscription in self:
            types = outbox.split_list(subscription.event_types)
            unknown = sorted(set(types) - known)
            if not types or unknown:
                raise ValidationError(_("Unknown or no event types on %(name)s: %(types)s. Known: %(known)s",
                                        name=subscription.name, types=", ".join(unknown) or "-",
                                        known=", ".join(sorted(known))))

    @api.constrains("secret")
    def _check_secret(self):
        for subscription in self.sudo():
            try:
                signature.secret_key(subscription.secret)
            except signature.SignatureError as error:
                raise ValidationError(_("Invalid secret on %(name)s: %(error)s", name=subscription.name, error=error)) from None

    def _compute_delivery_stats(self):
        Delivery = self.env["governance.delivery"].sudo()
        domain = [("subscription_id", "in", self.ids)]
        by_state = {}
        for subscription, state, count in Delivery._read_group(domain, ["subscription_id", "state"], ["__count"]):
            by_state[subscription.id, state] = count
        since = fields.Datetime.now() - FAILURE_RATE_WINDOW
        attempts = {
            subscription.id: (tried, failed)
            for subscription, tried, failed in Delivery._read_group(
                domain + [("last_attempt_at", ">=", since)], ["subscription_id"],
                ["attempt_count:sum", "failed_attempt_count:sum"])
        }
        last = dict(Delivery._read_group(domain + [("state", "=", "delivered")], ["subscription_id"], ["delivered_at:max"]))
        for subscription in self:
            key = subscription.id
            subscription.backlog_count = by_state.get((key, "pending"), 0) + by_state.get((key, "retrying"), 0)
            subscription.dead_letter_count = by_state.get((key, "dead_letter"), 0)
            subscription.delivered_count = by_state.get((key, "delivered"), 0)
            tried, failed = attempts.get(key, (0, 0))
            subscription.failure_rate = failed / tried if tried else 0.0
            subscription.last_delivery_at = last.get(subscription, False)

    # -- matching and signing -------------------------------------------------------------------

    @api.model
    def _matching(self, event_type, company, document_model):
        """The active subscriptions that receive an event of this type, company and document."""
        return self.search([("active", "=", True)]).filtered(
            lambda subscription: outbox.subscription_matches(
                outbox.split_list(subscription.event_types), subscription.company_ids.ids,
                outbox.split_list(subscription.document_models), event_type, company.id, document_model,
            )
        )

    def _signing_secrets(self):
        """The current secret, and the previous one while its grace period lasts."""
        self.ensure_one()
        subscription = self.sudo()
        secrets = [subscription.secret]
        if subscription.previous_secret and subscription.previous_secret_expiry \
                and subscription.previous_secret_expiry > fields.Datetime.now():
            secrets.append(subscription.previous_secret)
        return secrets

    def _bring_backlog_forward(self):
        """The receiver answers again: make its deliveries that wait out a backoff due now.

        Each failed delivery waits out its own backoff, so without this a backlog built while the
        receiver was down would trickle out over hours after it came back. The dispatcher still
        sends them in order per document. Rows another dispatcher holds are left to it; a row a
        concurrent transaction changed is left for its own schedule.
        """
        self.ensure_one()
        Delivery = self.env["governance.delivery"]
        Delivery.flush_model(["state", "next_attempt_at", "subscription_id"])
        now = fields.Datetime.now()
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute("""
                    UPDATE governance_delivery SET next_attempt_at = %(now)s
                     WHERE id IN (SELECT id FROM governance_delivery
                                   WHERE subscription_id = %(subscription)s AND state = 'retrying'
                                     AND next_attempt_at > %(now)s
                                     FOR UPDATE SKIP LOCKED)
                """, {"now": now, "subscription": self.id}, log_exceptions=False)
                moved = cr.rowcount
        except psycopg2.errors.SerializationFailure:
            return 0
        if moved:
            Delivery.invalidate_model(["next_attempt_at"])
            Delivery._trigger_dispatch()
        return moved

    # -- lifecycle ----------------------------------------------------------------------------

    def _audit(self, summary, **details):
        self.ensure_one()
        self.env["governance.audit.log"]._append(
            "subscription_change", summary, record=self,
            details=dict(details, subscription=self.name, url=self.url),
        )

    @api.model_create_multi
    def create(self, vals_list):
        subscriptions = super().create(vals_list)
        for subscription in subscriptions:
            subscription._audit(_("Subscription %s created", subscription.name),
                                event_types=outbox.split_list(subscription.event_types), origin=subscription.origin)
        return subscriptions

    def write(self, vals):
        result = super().write(vals)
        watched = {"url", "event_types", "company_ids", "document_models", "active"} & set(vals)
        if watched:
            for subscription in self:
                subscription._audit(_("Subscription %(name)s changed: %(fields)s", name=subscription.name,
                                      fields=", ".join(sorted(watched))), changed=sorted(watched))
        return result

    def _remove(self):
        """Deactivate, forget the secrets and cancel what is still queued; the log stays."""
        for subscription in self.sudo():
            subscription.delivery_ids.filtered(lambda delivery: delivery.state in ("pending", "retrying")).write(
                {"state": "cancelled", "next_attempt_at": False})
            subscription.write({"active": False, "removed_at": fields.Datetime.now()})

    def action_rotate_secret(self):
        hours = int(self.env["ir.config_parameter"].sudo().get_param(GRACE_PARAMETER, DEFAULT_GRACE_HOURS))
        for subscription in self.sudo():
            subscription.write({
                "previous_secret": subscription.secret,
                "previous_secret_expiry": fields.Datetime.now() + timedelta(hours=hours),
                "secret": signature.generate_secret(),
            })
            subscription._audit(_("Secret of %(name)s rotated; the previous one signs for %(hours)s more hours",
                                  name=subscription.name, hours=hours), grace_hours=hours)
        return True

    def action_test_ping(self):
        Event = self.env["governance.event"]
        for subscription in self:
            Event._emit("governance.ping", subscription, {
                "subscription_id": subscription.id,
                "message": _("Test ping from %(db)s, sent by %(user)s", db=self.env.cr.dbname, user=self.env.user.name),
            }, company=self.env.company, subscriptions=subscription)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": _("Test ping queued"), "type": "info",
                       "message": _("The ping is sent right after this change is saved; see the delivery log.")},
        }

    def action_replay_dead_letters(self):
        self.delivery_ids.filtered(lambda delivery: delivery.state == "dead_letter").action_replay()
        return True

    def action_open_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("distribution_governance.governance_delivery_action")
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {"default_subscription_id": self.id}
        return action
