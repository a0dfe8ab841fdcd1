from odoo import _, fields, models
from odoo.exceptions import MissingError

from ..lib.errors import coded


class GovernanceException(models.Model):
    """A failed automation execution (scenario S9) reported by n8n: one technical exception per
    failing execution, whatever the number of reports."""

    _inherit = "governance.exception"

    automation_key = fields.Char(readonly=True, index=True, copy=False,
                                 help="Workflow id and execution id: one exception per failed execution.")
    automation_workflow = fields.Char("Workflow", readonly=True)
    automation_node = fields.Char("Failed Node", readonly=True)
    automation_execution_id = fields.Char("Execution", readonly=True)
    automation_execution_url = fields.Char("Execution URL", readonly=True)
    automation_error = fields.Text("Error Message", readonly=True)
    automation_trigger = fields.Text("Started By", readonly=True)
    automation_event_uid = fields.Char("Event ID", readonly=True, index="btree_not_null",
                                       help="The governance event that started the failed execution.")
    automation_event_type = fields.Char("Event Type", readonly=True)
    automation_event_subject = fields.Char("Event Subject", readonly=True)
    automation_event_id = fields.Many2one("governance.event", "Event", readonly=True, index="btree_not_null",
                                          ondelete="set null", groups="distribution_governance.group_manager,distribution_governance.group_auditor",
                                          help="The outbox event that started the failed execution, when it is ours.")

    _sql_constraints = [
        ("automation_key_unique", "UNIQUE(automation_key)", "One exception per failed automation execution."),
    ]

    def _from_automation(self, automation):
        """The exception already raised for this execution (of the caller's companies), if any."""
        key = f"{automation['workflow_id']}:{automation['execution_id']}"
        existing = self.sudo().search([("automation_key", "=", key)], limit=1)
        if existing and existing.company_id not in self.env.user.company_ids:
            raise MissingError(coded("not_found", _("Execution %s belongs to another company.", automation["execution_id"])))
        vals = {
            "automation_key": key,
            "automation_workflow": " ".join(filter(None, [automation.get("workflow_name"),
                                                          f"({automation['workflow_id']})"])),
            "automation_node": automation.get("node") or False,
            "automation_execution_id": automation["execution_id"],
            "automation_execution_url": automation.get("execution_url") or False,
            "automation_error": automation["error_message"],
            "automation_trigger": automation.get("trigger") or False,
            "category": "technical",
        }
        event = automation.get("event")
        if event:
            ours = self.env["governance.event"].sudo().search(
                [("event_uid", "=", event["id"]), ("company_id", "in", self.env.user.company_ids.ids + [False])], limit=1)
            vals.update({
                "automation_event_uid": event["id"],
                "automation_event_type": event["type"],
                "automation_event_subject": event.get("subject") or ours.subject or False,
                "automation_event_id": ours.id,
            })
        return existing, vals

    def action_open_execution(self):
        self.ensure_one()
        if not self.automation_execution_url:
            return False
        return {"type": "ir.actions.act_url", "url": self.automation_execution_url, "target": "new"}
