from odoo import _, models
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.tools.sql import escape_psql

from ..lib.errors import coded
from .governance_api import api_method
from .governance_shipment_hold import PLACERS, REVIEWERS

INTEGRATION = "distribution_governance.group_integration"
READERS = [INTEGRATION, "stock.group_stock_user", "sales_team.group_sale_salesman", "distribution_governance.group_auditor"]


class GovernanceApi(models.AbstractModel):
    """The write-back API of outbound deliveries: shipment holds (S6) and late shipments (S8)."""

    _inherit = "governance.api"

    def _delivery(self, delivery_id):
        """The outgoing delivery ``delivery_id`` of the caller's companies."""
        picking = self.env["stock.picking"].sudo().browse(delivery_id).exists()
        if not picking or picking.company_id not in self.env.user.company_ids or picking.picking_type_code != "outgoing":
            raise MissingError(coded("not_found", _("No outgoing delivery %s in your companies.", delivery_id)))
        if not self._is_integration():
            try:
                picking.with_user(self.env.user).check_access("read")
            except AccessError:
                raise AccessError(coded("forbidden", _("%(login)s may not read %(delivery)s.", login=self.env.user.login,
                                    delivery=picking.name))) from None
        return picking

    def _acting(self, params):
        """The person acting: the named actor (the integration user acts for others), or the caller."""
        return self._actor(params["actor"]) if params.get("actor") else self.env.user

    @api_method
    def find_deliveries(self, payload=None):
        params = self._params("find_deliveries", payload, READERS)
        if not params.get("tracking_reference") and not params.get("origin"):
            raise ValidationError(coded("invalid_params", _("params: give tracking_reference or origin")))
        domain = [("picking_type_code", "=", "outgoing"), ("company_id", "in", self.env.user.company_ids.ids)]
        if params.get("tracking_reference"):
            domain.append(("carrier_tracking_ref", "=ilike", escape_psql(params["tracking_reference"].strip())))
        if params.get("origin"):
            origin = params["origin"].strip()
            domain += ["|", ("origin", "=", origin), ("sale_id.name", "=", origin)]
        pickings = self.env["stock.picking"].sudo().search(domain, limit=params["limit"], order="scheduled_date desc, id desc")
        if not self._is_integration():
            pickings = pickings.with_user(self.env.user)._filtered_access("read").sudo()
        return {"deliveries": [self._delivery_json(picking) for picking in pickings]}

    def _delivery_json(self, picking):
        data = picking._governance_delivery_data()
        data["holds"] = [{"hold_id": hold.id, "reason": hold.reason, "state": hold.state, "summary": hold.summary}
                         for hold in picking.governance_hold_ids.sorted("id")]
        return data

    @api_method
    def place_shipment_hold(self, payload=None):
        params = self._params("place_shipment_hold", payload, PLACERS)
        actor = self._acting(params)
        return self.env["governance.idempotency"]._run_once(
            "place_shipment_hold", params, lambda: self._place_shipment_hold(params, actor), actor=actor)

    def _place_shipment_hold(self, params, actor):
        picking = self._delivery(params["delivery_id"])
        Hold = self.env["governance.shipment.hold"]
        hold, created = Hold._place(
            picking, params["reason"], params["summary"], actor, details=params.get("details"), source="api",
            carrier_event=params.get("carrier_event"),
            attachments=[self._evidence(item, index, picking) for index, item in enumerate(params.get("evidence") or [])])
        return dict(hold._api_data(), created=created)

    @api_method
    def release_shipment_hold(self, payload=None):
        params = self._params("release_shipment_hold", payload, [INTEGRATION, *REVIEWERS])
        if self._is_integration() and not params.get("actor"):
            raise ValidationError(coded("invalid_params", _("actor: the reviewer who decides is required")))
        actor = self._acting(params)
        return self.env["governance.idempotency"]._run_once(
            "release_shipment_hold", params, lambda: self._release_shipment_hold(params, actor), actor=actor)

    def _release_shipment_hold(self, params, actor):
        hold = self.env["governance.shipment.hold"].sudo().browse(params["hold_id"]).exists()
        if not hold or hold.company_id not in self.env.user.company_ids:
            raise MissingError(coded("not_found", _("Shipment hold %s does not exist.", params["hold_id"])))
        hold._review(params["outcome"], params["reason"], actor)
        return hold._api_data()

    @api_method
    def list_late_shipments(self, payload=None):
        params = self._params("list_late_shipments", payload, READERS)
        domain = [("company_id", "in", self.env.user.company_ids.ids),
                  ("state", "in", [params["state"]] if params.get("state") else ["late", "escalated"])]
        if params.get("warehouse_id"):
            domain.append(("warehouse_id", "=", params["warehouse_id"]))
        lates = self.env["governance.late.shipment"].sudo().search(
            domain, limit=params["limit"], offset=params["offset"], order="scheduled_date asc, id asc")
        return {"late_shipments": [late._api_data() for late in lates]}
