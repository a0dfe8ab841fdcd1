from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from ..lib import supplier_confirmation as logic
from ..lib.errors import coded
from .governance_api import api_method

WRITERS = ["distribution_governance.group_integration", "purchase.group_purchase_user"]
READERS = WRITERS + ["distribution_governance.group_auditor"]
# An answer dated further ahead than this is refused: clocks differ a little, messages do not come from the future.
CLOCK_SKEW = timedelta(hours=1)


class GovernanceApi(models.AbstractModel):
    """The write-back API methods of supplier confirmations (scenario S4)."""

    _inherit = "governance.api"

    @api_method
    def record_supplier_confirmation(self, payload=None):
        params = self._params("record_supplier_confirmation", payload, WRITERS)
        recorded = []

        def record():
            recorded.append(True)
            return self._record_supplier_confirmation(params)

        result = self.env["governance.idempotency"]._run_once("record_supplier_confirmation", params, record)
        # A message delivered again (same key) is answered as the first time; marked, so flows alert once.
        return dict(result, replayed=not recorded)

    def _record_supplier_confirmation(self, params):
        order = self._released_order(params["purchase_order"])
        now = fields.Datetime.now()
        received_at = now
        if params.get("received_at"):
            try:
                received_at = logic.parse_date(params["received_at"])
            except ValueError as error:
                raise ValidationError(coded("invalid_params", _("received_at: %s", error))) from None
            if received_at > now + CLOCK_SKEW:
                raise ValidationError(coded("invalid_params", _("received_at: %s is in the future.", params["received_at"])))
        Confirmation = self.env["governance.supplier.confirmation"].sudo()
        confirmation = Confirmation.search([("purchase_order_id", "=", order.id)]) or \
            Confirmation._await_confirmation(order)
        return confirmation._record_update(params, received_at)

    def _released_order(self, reference):
        """The released purchase order named ``reference`` that the caller may work on."""
        user = self.env.user
        orders = self.env["purchase.order"].sudo().search(
            [("name", "=", reference), ("company_id", "in", user.company_ids.ids)], limit=2)
        if len(orders) != 1:
            raise MissingError(coded("not_found", _("No single purchase order %s in your companies.", reference)))
        if not self._is_integration():
            try:
                orders.with_user(user).check_access("read")
            except AccessError:
                raise AccessError(coded("forbidden", _("%(login)s may not work on %(order)s.", login=user.login,
                                    order=reference))) from None
        if orders.state not in ("purchase", "done"):
            raise UserError(coded("not_pending", _("%(order)s is not released (state %(state)s): there is no supplier "
                              "confirmation to record.", order=reference, state=orders.state)))
        return orders

    def _visible_confirmations(self, domain, limit, offset=0):
        domain = [("company_id", "in", self.env.user.company_ids.ids)] + domain
        Confirmation = self.env["governance.supplier.confirmation"].sudo()
        now = fields.Datetime.now()
        confirmations = Confirmation.search(domain, limit=limit, offset=offset, order="date_due asc, id asc")
        return {"confirmations": [confirmation._api_data(now) for confirmation in confirmations]}

    @api_method
    def list_supplier_confirmations(self, payload=None):
        params = self._params("list_supplier_confirmations", payload, READERS)
        domain = []
        if params.get("state"):
            domain.append(("state", "=", params["state"]))
        if params.get("vendor_id"):
            domain.append(("partner_id", "=", params["vendor_id"]))
        return self._visible_confirmations(domain, params["limit"], params["offset"])

    @api_method
    def list_overdue_supplier_confirmations(self, payload=None):
        params = self._params("list_overdue_supplier_confirmations", payload, READERS)
        domain = ["|", ("state", "=", "overdue"), "&", ("state", "=", "awaiting"),
                  ("date_due", "<", fields.Datetime.now())]
        return self._visible_confirmations(domain, params["limit"])
