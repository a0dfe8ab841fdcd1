import json

from odoo import fields, models


class GovernancePolicyVersion(models.Model):
    """The exported document of one policy version, kept so any request can show its policy."""

    _name = "governance.policy.version"
    _description = "Governance Policy Version"
    _order = "policy_id, version desc"
    _rec_name = "version"

    policy_id = fields.Many2one("governance.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    version = fields.Integer(required=True, readonly=True)
    document = fields.Text(required=True, readonly=True, help="Canonical JSON of the policy document.")
    content_hash = fields.Char(required=True, readonly=True)
    document_pretty = fields.Text("Document (formatted)", compute="_compute_document_pretty")

    _sql_constraints = [
        ("policy_version_unique", "UNIQUE(policy_id, version)", "A policy version is recorded once."),
    ]

    def _compute_document_pretty(self):
        for version in self:
            version.document_pretty = json.dumps(json.loads(version.document), indent=2, ensure_ascii=False)

    def _compute_display_name(self):
        for version in self:
            version.display_name = f"{version.policy_id.name} v{version.version}"
