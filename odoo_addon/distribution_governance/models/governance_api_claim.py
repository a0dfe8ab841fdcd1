from odoo import _, api, models
from odoo.exceptions import MissingError

from ..lib.errors import coded

INTEGRATION = ["distribution_governance.group_integration"]


class GovernanceApi(models.AbstractModel):
    """claim_delivery / confirm_delivery_start: the trigger claims an event before it starts a
    workflow for it, and the execution confirms when it starts; rerun_crashed_execution: the event
    of an execution that crashed is delivered again."""

    _inherit = "governance.api"

    def _claiming_subscription(self, subscription_id):
        subscription = self._own_subscription(subscription_id)
        if not subscription:
            raise MissingError(coded("not_found", _("Subscription %s does not exist.", subscription_id)))
        return subscription

    @api.model
    def claim_delivery(self, payload=None):
        params = self._params("claim_delivery", payload, INTEGRATION)
        return self.env["governance.delivery.claim"].sudo()._claim(
            self._claiming_subscription(params["subscription_id"]),
            params["event_id"], params["idempotency_key"], bool(params.get("confirms_start")))

    @api.model
    def confirm_delivery_start(self, payload=None):
        params = self._params("confirm_delivery_start", payload, INTEGRATION)
        return self.env["governance.delivery.claim"].sudo()._start(
            self._claiming_subscription(params["subscription_id"]),
            params["event_id"], params["claim_key"], params.get("execution_id") or "")

    @api.model
    def rerun_crashed_execution(self, payload=None):
        params = self._params("rerun_crashed_execution", payload, INTEGRATION)
        return self.env["governance.delivery.claim"].sudo()._rerun_crashed(
            self.env.user, params["execution_id"], params.get("workflow_name") or "")
