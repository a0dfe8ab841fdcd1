from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import policy as policy_lib
from ..lib.api_params import without_nulls
from ..lib.canonical_json import canonical_json

# Writing these fields changes the exported document, so it makes a new version.
CONTENT_FIELDS = {"name", "company_id", "rule_ids"}
BULK_CONTEXT = "governance_policy_bulk_edit"


class GovernancePolicy(models.Model):
    """A company's approval policy: rules, exported as the contract's policy document.

    Every change makes a new version and stores the exported document and its content hash,
    so an approval request can always show the exact policy it was evaluated under. Only an
    active policy is evaluated, by lib/policy.py and nothing else.
    """

    _name = "governance.policy"
    _description = "Governance Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, state, name"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("retired", "Retired")],
        default="draft", required=True, readonly=True, copy=False, tracking=True, index=True,
    )
    version = fields.Integer(default=1, required=True, readonly=True, copy=False)
    rule_ids = fields.One2many("governance.policy.rule", "policy_id", "Rules", copy=True)
    version_ids = fields.One2many("governance.policy.version", "policy_id", "Versions", readonly=True)
    content_hash = fields.Char(compute="_compute_content_hash")

    _sql_constraints = [
        ("version_positive", "CHECK(version >= 1)", "A policy version starts at 1."),
    ]

    @api.depends("version_ids.content_hash", "version")
    def _compute_content_hash(self):
        for policy in self:
            current = policy.version_ids.filtered(lambda version: version.version == policy.version)[:1]
            policy.content_hash = current.content_hash

    @api.model_create_multi
    def create(self, vals_list):
        policies = super(GovernancePolicy, self.with_context(**{BULK_CONTEXT: True})).create(vals_list)
        policies = policies.with_env(self.env)
        for policy in policies:
            policy._record_version(_("Policy created"))
        return policies

    def write(self, vals):
        if self.env.context.get(BULK_CONTEXT) or not CONTENT_FIELDS & set(vals):
            return super().write(vals)
        result = super(GovernancePolicy, self.with_context(**{BULK_CONTEXT: True})).write(vals)
        self._bump_version(_("Policy changed: %s", ", ".join(sorted(CONTENT_FIELDS & set(vals)))))
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [dict(vals, name=self.env._("%s (copy)", policy.name)) for policy, vals in zip(self, vals_list)]

    def _bump_version(self, summary):
        """A new version of each policy in self (called after its content or rules changed)."""
        for policy in self:
            policy.with_context(**{BULK_CONTEXT: True}).write({"version": policy.version + 1})
            policy._record_version(summary)

    def _record_version(self, summary):
        self.ensure_one()
        document = self.export_document()
        if self.state == "active":
            self._check_document(document)
        self.env["governance.policy.version"].sudo().create({
            "policy_id": self.id,
            "version": self.version,
            "document": canonical_json(document),
            "content_hash": document["content_hash"],
        })
        self.env["governance.audit.log"]._append(
            "policy_change", f"{self.name} v{self.version}: {summary}", policy=self,
            details={"version": self.version, "content_hash": document["content_hash"], "state": self.state},
        )

    def _document_body(self):
        self.ensure_one()
        return {
            "format": policy_lib.POLICY_FORMAT,
            "name": self.name,
            "version": self.version,
            "currency": self.company_id.currency_id.name,
            "rules": [rule._export() for rule in self.rule_ids.sorted(lambda rule: (rule.sequence, rule.code or ""))],
        }

    def export_document(self):
        """The contract's policy document of this version, with its content hash.

        Null-valued keys are left out (the semantics read absent as null), so the document passes
        over XML-RPC and its hash is that of what callers receive.
        """
        document = without_nulls(self._document_body())
        document["content_hash"] = policy_lib.content_hash(document)
        return document

    def _check_document(self, document):
        try:
            policy_lib.validate_policy(document)
        except policy_lib.PolicyError as error:
            raise ValidationError(
                _("Policy %(name)s is invalid at %(path)s: %(message)s",
                  name=self.name, path=error.path or _("(the document)"), message=error.message)
            ) from None

    def action_activate(self):
        for policy in self:
            policy._check_document(policy.export_document())
            others = self.search([("company_id", "=", policy.company_id.id), ("state", "=", "active"), ("id", "!=", policy.id)])
            others.write({"state": "retired"})
            for other in others:
                self.env["governance.audit.log"]._append(
                    "policy_change", f"{other.name} v{other.version} retired", policy=other, details={"state": "retired"}
                )
            policy.write({"state": "active"})
            self.env["governance.audit.log"]._append(
                "policy_change", f"{policy.name} v{policy.version} activated", policy=policy,
                details={"state": "active", "content_hash": policy.content_hash},
            )
        return True

    def action_retire(self):
        for policy in self.filtered(lambda policy: policy.state == "active"):
            policy.write({"state": "retired"})
            self.env["governance.audit.log"]._append(
                "policy_change", f"{policy.name} v{policy.version} retired", policy=policy, details={"state": "retired"}
            )
        return True

    @api.model
    def _active_for(self, company):
        return self.sudo().search([("company_id", "=", company.id), ("state", "=", "active")], limit=1)

    def _current_version(self):
        self.ensure_one()
        return self.sudo().version_ids.filtered(lambda version: version.version == self.version)[:1]
