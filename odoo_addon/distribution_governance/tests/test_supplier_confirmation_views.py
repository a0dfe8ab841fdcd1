from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .supplier_common import SupplierCase


@tagged("post_install", "-at_install")
class TestSupplierConfirmationViews(SupplierCase):
    """The board, the report, the order's smart button and the vendor's performance load for their users."""

    def load(self, user, action_xmlid):
        action = self.env.ref(action_xmlid)
        Model = self.env[action.res_model].with_user(user)
        views = [[False, mode] for mode in action.view_mode.split(",")] + [[False, "search"]]
        result = Model.get_views(views, {"action_id": action.id})
        self.assertEqual(set(result["views"]), {mode for _id, mode in views})
        fields = result["models"][action.res_model]["fields"]
        domain = safe_eval(action.domain or "[]")
        return Model.web_search_read(domain, {name: {} for name in fields if name in Model._fields
                                          and Model._fields[name].type not in ("one2many", "many2many")})

    def test_board_report_order_and_vendor_screens(self):
        order = self.release_order()
        self.record(order, promised_date=self.day(order.order_line.date_planned, 2))
        self.release_order()
        for user in (self.buyer, self.auditor, self.manager):
            board = self.load(user, "distribution_governance.governance_supplier_confirmation_action")
            self.assertTrue(board["records"], user.login)
        report = self.load(self.auditor, "distribution_governance.governance_supplier_confirmation_action_delay")
        self.assertEqual([row["name"] for row in report["records"]], [order.name])
        groups = self.Confirmation.with_user(self.manager).read_group(
            [], ["delay_hours:avg"], ["partner_id", "date_requested:month"], lazy=False)
        self.assertEqual(groups[0]["partner_id"][0], self.vendor.id)
        Order = self.env["purchase.order"].with_user(self.buyer)
        arch = Order.get_views([[False, "form"]])["views"]["form"]["arch"]
        self.assertIn("action_governance_confirmation", arch)
        [row] = Order.search_read([("id", "=", order.id)], ["governance_confirmation_state"])
        self.assertEqual(row["governance_confirmation_state"], "date_changed")
        vendor = self.vendor.with_user(self.buyer)
        self.assertIn("governance_confirmation_on_time_rate", vendor.get_views([[False, "form"]])["views"]["form"]["arch"])
        self.assertEqual((vendor.governance_confirmation_count, vendor.governance_confirmation_on_time_rate,
                          vendor.governance_confirmation_avg_drift), (2, 100.0, 2.0))
