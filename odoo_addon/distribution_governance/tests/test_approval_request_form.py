from lxml import etree

from odoo.tests import tagged

from .common import GovernanceCase


@tagged("post_install", "-at_install")
class TestApprovalRequestForm(GovernanceCase):
    """The request form's labels stay true together: the policy's verdict at submission ("Initial
    outcome: Needs approval") beside where the request is now (the status bar: "Approved")."""

    def labels(self, view_type):
        arch = self.env["governance.approval.request"].with_user(self.manager).get_views(
            [(False, view_type)])["views"][view_type]["arch"]
        fields = self.env["governance.approval.request"].fields_get(["outcome", "state"])
        return {node.get("name"): node.get("string") or fields[node.get("name")]["string"]
                for node in etree.fromstring(arch).xpath("//field[not(ancestor::field)]")
                if node.get("name") in ("outcome", "state")}

    def test_an_approved_request_reads_true(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        self.decide(order, "Purchasing", self.alice)
        request = self.request_of(order)
        self.assertEqual((request.outcome, request.state), ("needs_approval", "approved"))
        for view_type in ("form", "list"):
            self.assertEqual(self.labels(view_type), {"outcome": "Initial outcome", "state": "Status"})
