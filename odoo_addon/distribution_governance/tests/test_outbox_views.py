from odoo.tests import tagged

from .outbox_common import OutboxCase


@tagged("post_install", "-at_install")
class TestOutboxViews(OutboxCase):
    """Every outbox and exception screen loads for the people who use it."""

    def load(self, user, action_xmlid):
        action = self.env.ref(action_xmlid)
        Model = self.env[action.res_model].with_user(user)
        views = [[False, mode] for mode in action.view_mode.split(",")] + [[False, "search"]]
        result = Model.get_views(views, {"action_id": action.id})
        self.assertEqual(set(result["views"]), {mode for _id, mode in views})
        Model.web_search_read([], {field: {} for field in result["models"][action.res_model]["fields"]
                                   if field in Model._fields and Model._fields[field].type not in ("one2many", "many2many")})
        return result

    def test_the_exception_queue_for_requesters_and_auditors(self):
        auditor = self.env["res.users"].create({
            "name": "Outbox Auditor", "login": "dg_outbox_auditor",
            "groups_id": [(6, 0, [self.env.ref("distribution_governance.group_auditor").id])]})
        self.api.raise_exception({"exception_type": "late_shipment", "severity": "high", "summary": "Stuck in packing",
                                  "idempotency_key": "views-exc-1"})
        for user in (self.buyer, auditor, self.manager):
            self.load(user, "distribution_governance.governance_exception_action")
        fields = self.load(self.buyer, "distribution_governance.governance_exception_action")["models"]["governance.exception"]
        self.assertNotIn("delivery_ids", fields, "the dead-letter page is for managers and auditors")

    def test_the_approval_analysis_for_managers_and_auditors(self):
        auditor = self.env["res.users"].create({
            "name": "Analysis Auditor", "login": "dg_analysis_auditor",
            "groups_id": [(6, 0, [self.env.ref("distribution_governance.group_auditor").id])]})
        for user in (self.manager, auditor):
            result = self.load(user, "distribution_governance.governance_approval_request_action_analysis")
            self.assertIn("cycle_hours", result["models"]["governance.approval.request"]["fields"])

    def test_the_integration_screens_for_managers(self):
        subscription = self.make_subscription()
        self.ping(subscription)
        for xmlid in ("governance_subscription_action", "governance_delivery_action",
                      "governance_delivery_action_backlog", "governance_event_action",
                      "governance_exception_type_action"):
            self.load(self.manager, f"distribution_governance.{xmlid}")
        [row] = self.env["governance.subscription"].with_user(self.manager).search_read(
            [("id", "=", subscription.id)], ["secret", "backlog_count", "failure_rate"])
        self.assertEqual((row["secret"], row["backlog_count"]), (subscription.secret, 1))
