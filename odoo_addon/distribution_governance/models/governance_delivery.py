import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.modules.module import get_manifest
from odoo.tools.sql import create_index

from ..lib import outbox, signature, webhook_client

_logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# A batch stops claiming work after this long, so a slow receiver cannot hold a cron worker.
BATCH_TIME_BUDGET_SECONDS = 60
WAITING = ("pending", "retrying")
DISPATCH_CRON = "distribution_governance.ir_cron_governance_dispatch"
# A second dispatcher, inactive unless an administrator turns it on (with two or more cron
# threads): both claim due rows with SKIP LOCKED, so they share the work and never send one twice.
SECOND_DISPATCH_CRON = "distribution_governance.ir_cron_governance_dispatch_2"
TRIGGERED_FLAG = "distribution_governance.dispatch_triggered"
# How many deliveries of a batch are posted at once (system parameter; 1 = one after the other).
# A batch never holds two deliveries about the same document (CLAIM_DUE), so order per document
# holds at any width; the posts run in threads that touch no database, the results are recorded
# in this transaction afterwards.
PARALLELISM_PARAM = "distribution_governance.dispatch_parallelism"
DEFAULT_PARALLELISM = 4
MAX_PARALLELISM = 16
_senders = ThreadPoolExecutor(max_workers=MAX_PARALLELISM, thread_name_prefix="governance-outbox")

# The due deliveries of active subscriptions that are next in line: none of their subscription's
# earlier deliveries about the same document is still waiting (a dead-lettered or delivered one
# no longer blocks). An archived subscription's deliveries wait until it is active again.
# Rows another dispatcher holds are skipped, so concurrent dispatchers never send one twice.
CLAIM_DUE = """
    SELECT delivery.id
      FROM governance_delivery delivery
     WHERE delivery.state IN ('pending', 'retrying')
       AND delivery.next_attempt_at <= %(now)s
       AND delivery.subscription_id IN (SELECT id FROM governance_subscription WHERE active)
       AND NOT EXISTS (
           SELECT 1
             FROM governance_delivery earlier
            WHERE earlier.subscription_id = delivery.subscription_id
              AND earlier.subject = delivery.subject
              AND earlier.state IN ('pending', 'retrying')
              AND earlier.id < delivery.id)
     ORDER BY delivery.next_attempt_at, delivery.id
     LIMIT %(limit)s
       FOR UPDATE OF delivery SKIP LOCKED
"""


class GovernanceDelivery(models.Model):
    """One event for one subscription: its state, attempts and the receiver's last answer."""

    _name = "governance.delivery"
    _description = "Event Delivery"
    _order = "id desc"
    _rec_name = "event_uid"

    event_id = fields.Many2one("governance.event", required=True, readonly=True, ondelete="cascade", index=True)
    event_uid = fields.Char(related="event_id.event_uid", string="Event ID")
    event_type = fields.Selection(related="event_id.event_type", store=True, string="Type")
    subscription_id = fields.Many2one("governance.subscription", required=True, readonly=True,
                                      ondelete="cascade", index=True)
    subject = fields.Char(required=True, readonly=True)
    document_name = fields.Char("Document", compute="_compute_document_name")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    state = fields.Selection(
        [("pending", "Pending"), ("retrying", "Retrying"), ("delivered", "Delivered"),
         ("dead_letter", "Dead letter"), ("cancelled", "Cancelled")],
        default="pending", required=True, readonly=True, index=True,
    )
    attempt_count = fields.Integer("Attempts", readonly=True)
    failed_attempt_count = fields.Integer("Failed Attempts", readonly=True)
    replay_count = fields.Integer("Replays", readonly=True)
    next_attempt_at = fields.Datetime("Next Attempt", readonly=True)
    last_attempt_at = fields.Datetime("Last Attempt", readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer("Last HTTP Status", readonly=True)
    last_latency_ms = fields.Integer("Last Latency (ms)", readonly=True)
    last_error = fields.Char(readonly=True)
    exception_id = fields.Many2one("governance.exception", "Dead-letter Exception", readonly=True)
    body = fields.Text(related="event_id.body")
    claim_state = fields.Selection(
        [("final", "Claimed"), ("awaiting", "Awaiting start"), ("started", "Started")], "Receiver's Claim",
        compute="_compute_claim", help="The receiver's claim on this event (governance.delivery.claim).")
    claim_execution_ref = fields.Char("Receiver's Execution", compute="_compute_claim",
                                      help="The receiver's execution (n8n's id) that confirmed it runs this event.")

    @api.depends("subject")
    def _compute_document_name(self):
        names = self.env["governance.event.subject"]._document_names(self.mapped("subject"))
        for delivery in self:
            delivery.document_name = names.get(delivery.subject) or False

    def _compute_claim(self):
        claims = self.env["governance.delivery.claim"].sudo().search([
            ("subscription_id", "in", self.subscription_id.ids), ("event_id", "in", self.event_id.ids)])
        by_pair = {(claim.subscription_id.id, claim.event_id.id): claim for claim in claims}
        for delivery in self:
            claim = by_pair.get((delivery.subscription_id.id, delivery.event_id.id))
            if not claim:
                delivery.claim_state = delivery.claim_execution_ref = False
                continue
            delivery.claim_state = ("started" if claim.state == "started"
                                    else "awaiting" if claim.lease_until else "final")
            delivery.claim_execution_ref = claim.execution_ref or False

    def init(self):
        # The dispatcher's two lookups touch waiting deliveries only; partial indexes keep them
        # small however long the delivery log grows.
        create_index(self.env.cr, "governance_delivery_due_index", self._table, ["next_attempt_at", "id"],
                     where="state IN ('pending', 'retrying')")
        create_index(self.env.cr, "governance_delivery_chain_index", self._table, ["subscription_id", "subject", "id"],
                     where="state IN ('pending', 'retrying')")

    # -- queueing -------------------------------------------------------------------------------

    @api.model
    def _queue(self, event, subscriptions):
        """Queue ``event`` for ``subscriptions`` and have the dispatcher run once this commits."""
        now = fields.Datetime.now()
        deliveries = self.sudo().create([{
            "event_id": event.id,
            "subscription_id": subscription.id,
            "subject": event.subject,
            "company_id": event.company_id.id,
            "next_attempt_at": now,
        } for subscription in subscriptions])
        self._trigger_dispatch()
        return deliveries

    @api.model
    def _trigger_dispatch(self):
        """Wake the dispatcher cron after commit (once per transaction); a rollback drops the trigger."""
        flags = self.env.cr.precommit.data
        if flags.get(TRIGGERED_FLAG):
            return
        flags[TRIGGERED_FLAG] = True
        for xml_id in (DISPATCH_CRON, SECOND_DISPATCH_CRON):
            cron = self.env.ref(xml_id, raise_if_not_found=False)
            if cron and cron.sudo().active:
                cron.sudo()._trigger()

    # -- dispatching ------------------------------------------------------------------------------

    @api.model
    def _cron_dispatch(self, batch_size=BATCH_SIZE):
        """Send one batch of due deliveries, and have the cron run again at once while some remain.

        Odoo reruns a cron that reports remaining work up to ten times in a row, then waits for its
        next wake-up (up to a minute); the trigger wakes it as soon as this run ends instead.
        """
        self.env["governance.delivery.claim"]._redeliver_unstarted()
        done = self._dispatch_due(batch_size)
        remaining = self._due_count()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            self._trigger_dispatch()
        return done

    @api.model
    def _due_count(self):
        return self.sudo().search_count([("state", "in", WAITING), ("next_attempt_at", "<=", fields.Datetime.now()),
                                         ("subscription_id.active", "=", True)])

    @api.model
    def _claim_due(self, limit):
        """Lock up to ``limit`` deliveries that are due and next in line for their document."""
        self.flush_model()
        self.env["governance.subscription"].flush_model(["active"])
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(CLAIM_DUE, {"now": fields.Datetime.now(), "limit": limit}, log_exceptions=False)
                ids = [row[0] for row in cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            # Another dispatcher committed some of these rows after this transaction's snapshot;
            # the next batch (a new transaction) sees them as they are now.
            _logger.info("Outbox dispatch: rows changed by a concurrent dispatcher; retrying in the next batch")
            return self.browse()
        return self.sudo().browse(ids)

    @api.model
    def _parallelism(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARALLELISM_PARAM)
        try:
            return min(max(int(value), 1), MAX_PARALLELISM) if value else DEFAULT_PARALLELISM
        except ValueError:
            _logger.warning("Outbox: %s=%r is not a number; posting %s at once", PARALLELISM_PARAM, value,
                            DEFAULT_PARALLELISM)
            return DEFAULT_PARALLELISM

    @api.model
    def _dispatch_due(self, batch_size=BATCH_SIZE, time_budget=BATCH_TIME_BUDGET_SECONDS):
        """Send one batch of due deliveries in this transaction; returns how many were processed.

        Deliveries are posted a few at a time (``_parallelism``). When a subscription's receiver
        fails, its later deliveries in the batch are not sent: they are recorded as failed with
        that reason and follow the same retry schedule. A receiver that is down or slow so costs
        one wave of connections or timeouts per batch, not one per delivery, and its backlog backs
        off (and is dead-lettered) together.
        """
        started = time.monotonic()
        failures = {}
        answered = set()
        processed = 0
        due = self._claim_due(batch_size)
        width = self._parallelism()
        for start in range(0, len(due), width):
            if time.monotonic() - started > time_budget:
                break
            wave = due[start:start + width]
            results = {}
            requests_ = {}
            for delivery in wave:
                subscription_id = delivery.subscription_id.id
                if subscription_id in failures:
                    results[delivery] = webhook_client.Result(None, 0, _(
                        "not sent: the receiver failed just before in this batch (%s)", failures[subscription_id]))
                    continue
                request = delivery._request()
                if isinstance(request, webhook_client.Result):
                    results[delivery] = request
                else:
                    requests_[delivery] = request
            if len(requests_) > 1:
                posts = {delivery: _senders.submit(webhook_client.post, *request)
                         for delivery, request in requests_.items()}
                results.update({delivery: post.result() for delivery, post in posts.items()})
            else:
                results.update({delivery: webhook_client.post(*request) for delivery, request in requests_.items()})
            for delivery in wave:
                subscription = delivery.subscription_id
                result = results[delivery]
                delivery._record(result)
                processed += 1
                if not outbox.is_success(result.status):
                    failures.setdefault(subscription.id, result.error)
                elif subscription.id not in answered:
                    answered.add(subscription.id)
                    subscription._bring_backlog_forward()
        return processed

    def _headers(self, timestamp):
        self.ensure_one()
        event = self.event_id
        headers = signature.signed_headers(self.subscription_id._signing_secrets(), event.event_uid, timestamp,
                                           event.body.encode("utf-8"))
        headers.update({
            "content-type": "application/json",
            "user-agent": "distribution-governance/" + get_manifest("distribution_governance")["version"],
        })
        return headers

    def _request(self):
        """The arguments of this delivery's post (webhook_client.post), or a Result when it must not be sent."""
        self.ensure_one()
        subscription = self.subscription_id
        # Checked again before every attempt: the host may resolve elsewhere now (DNS rebinding),
        # or an administrator may have withdrawn private-network destinations.
        refusal = subscription._url_problem(subscription.url)
        if refusal:
            return webhook_client.Result(None, 0, _("not sent: the target URL %s", refusal))
        return (subscription.url, self.event_id.body.encode("utf-8"), self._headers(int(time.time())),
                subscription.timeout_seconds)

    def _record(self, result):
        """Record one attempt's result: delivered, retried after a backoff, or dead-lettered."""
        self.ensure_one()
        now = fields.Datetime.now()
        attempt = self.attempt_count + 1
        vals = {
            "attempt_count": attempt,
            "last_attempt_at": now,
            "last_status_code": result.status or 0,
            "last_latency_ms": result.latency_ms,
            "last_error": result.error or False,
        }
        counter = self.env["governance.outbox.counter"]
        if outbox.is_success(result.status):
            self.write(dict(vals, state="delivered", delivered_at=now, next_attempt_at=False))
            counter._count(self.subscription_id.id, "delivered")
            return
        vals["failed_attempt_count"] = self.failed_attempt_count + 1
        if outbox.is_last_attempt(attempt):
            self._dead_letter(vals)
        else:
            delay = timedelta(seconds=outbox.retry_delay(attempt))
            self.write(dict(vals, state="retrying", next_attempt_at=now + delay))
            counter._count(self.subscription_id.id, "failed")
        _logger.info("Outbox delivery %s of %s to subscription %s failed (attempt %s): %s",
                     self.id, self.event_uid, self.subscription_id.id, attempt, result.error)

    def _dead_letter(self, vals):
        """Give up on this delivery (writing ``vals`` too): counted, and raised as a technical exception."""
        self.ensure_one()
        self.write(dict(vals, state="dead_letter", next_attempt_at=False))
        self.env["governance.outbox.counter"]._count(self.subscription_id.id, "dead_lettered")
        self._raise_dead_letter_exception()

    def _requeue(self):
        """Send these deliveries again from a fresh retry schedule (a replay, a crashed execution's rerun)."""
        for delivery in self:
            delivery.sudo().write({
                "state": "pending",
                "attempt_count": 0,
                "next_attempt_at": fields.Datetime.now(),
                "failed_attempt_count": 0,
                "replay_count": delivery.replay_count + 1,
            })
        if self:
            self._trigger_dispatch()

    def _raise_dead_letter_exception(self):
        """Make the dead letter visible: a technical exception per subscription, while it is open.

        Later dead letters of the same subscription join the open exception rather than add one
        each (the exception's own event may go to the same dead receiver).
        """
        self.ensure_one()
        subscription = self.subscription_id
        Exception = self.env["governance.exception"].sudo()
        exception = Exception.search([
            ("exception_type_id.code", "=", "delivery_dead_lettered"), ("state", "in", ("open", "in_progress")),
            ("res_model", "=", subscription._name), ("res_id", "=", subscription.id),
        ], limit=1)
        text = _("%(type)s %(event)s to %(name)s was dead-lettered after %(attempts)s attempts: %(error)s",
                 type=self.event_type, event=self.event_uid, name=subscription.name, attempts=self.attempt_count,
                 error=self.last_error or "-")
        if exception:
            exception.message_post(body=text)
        else:
            exception = Exception.create({
                "exception_type_id": self.env.ref("distribution_governance.exception_type_delivery_dead_lettered").id,
                "category": "technical",
                "severity": "high",
                "summary": _("Deliveries to %s are dead-lettered", subscription.name),
                "details": text,
                "res_model": subscription._name,
                "res_id": subscription.id,
                "document_name": subscription.name,
                "company_id": (self.company_id or self.env.company).id,
            })
        self.exception_id = exception

    # -- UI -----------------------------------------------------------------------------------------

    def action_replay(self):
        """Send these deliveries again, from a fresh retry schedule, right after this commits.

        A replay is a request to run the event again: it releases the receiver's claim on it
        (governance.delivery.claim), so the receiver starts one new execution, and says so in the
        audit log.
        """
        replayable = self.filtered(lambda delivery: delivery.state != "pending"
                                   and delivery.subscription_id.active)
        released = self.env["governance.delivery.claim"]._release(replayable) if replayable else set()
        replayable._requeue()
        for delivery in replayable:
            claim_released = (delivery.subscription_id.id, delivery.event_id.id) in released
            delivery.subscription_id._audit(
                _("Delivery of %(event)s to %(name)s replayed by %(user)s%(claim)s", event=delivery.event_uid,
                  name=delivery.subscription_id.name, user=self.env.user.name,
                  claim=_("; its claim was released, so the receiver runs it again") if claim_released else ""),
                delivery_id=delivery.id, event_id=delivery.event_uid, claim_released=claim_released)
        return True
