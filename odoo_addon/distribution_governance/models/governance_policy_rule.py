import uuid

from odoo import _, api, fields, models

from ..lib.policy_words import describe_conditions
from .governance_policy import BULK_CONTEXT

ACTIONS = [("require_tier", "Require a tier"), ("block", "Block"), ("hold", "Hold")]


class GovernancePolicyRule(models.Model):
    """One rule of a policy: conditions on a document's facts and what they require."""

    _name = "governance.policy.rule"
    _description = "Governance Policy Rule"
    _order = "policy_id, sequence, code"
    _rec_name = "code"

    policy_id = fields.Many2one("governance.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10, required=True)
    code = fields.Char(
        "Rule ID", required=True,
        help="Stable id of the rule in the policy document (1-64 of A-Z a-z 0-9 _ . : -), e.g. po-spend-10k.",
    )
    reason = fields.Char(required=True, help="Shown to requesters and approvers when the rule matches.")
    document_type = fields.Selection(selection="_selection_document_type", required=True)
    condition_ids = fields.One2many("governance.policy.condition", "rule_id", "Conditions", copy=True)
    action = fields.Selection(ACTIONS, required=True, default="require_tier")
    tier_name = fields.Char()
    tier_level = fields.Integer(default=1, help="Levels run one after the other; the tiers of one level run in parallel.")
    approver_user_ids = fields.Many2many(
        "res.users", "governance_rule_approver_user_rel", "rule_id", "user_id", "Approving Users"
    )
    approver_group_ids = fields.Many2many(
        "res.groups", "governance_rule_approver_group_rel", "rule_id", "group_id", "Approving Groups"
    )
    approver_field = fields.Char(
        "Approver Field", help="A many2one to users on the document whose user approves, e.g. user_id."
    )
    min_approvals = fields.Integer("Minimum Approvals", default=1)
    sla_hours = fields.Integer("SLA (hours)", help="0: no SLA, no reminder and no automatic escalation.")
    escalate_user_id = fields.Many2one("res.users", "Escalate to User")
    escalate_group_id = fields.Many2one("res.groups", "Escalate to Group")
    confirm_with_password = fields.Boolean(
        help="Approvers of this tier enter their password again to decide, in Odoo only: their e-mail and chat "
        "decision links open the document instead, and the write-back API refuses their decisions.",
    )

    conditions_text = fields.Char("When", compute="_compute_conditions_text",
                                  help="The rule's conditions in words; the rule matches when all of them hold.")

    _sql_constraints = [
        ("code_unique", "UNIQUE(policy_id, code)", "Rule ids must be unique within a policy."),
    ]

    @api.depends("condition_ids.fact", "condition_ids.op", "condition_ids.value", "policy_id.currency_id")
    def _compute_conditions_text(self):
        for rule in self:
            conditions = rule.condition_ids.filtered(lambda c: c.fact and c.op).sorted(lambda c: (c.sequence, c.id))
            rule.conditions_text = describe_conditions([c._export() for c in conditions],
                                                       rule.policy_id.currency_id.name or "")

    @api.model
    def _selection_document_type(self):
        governed = self.pool["governance.mixin"]._inherit_children
        return sorted((name, self.env[name]._description) for name in governed if name in self.env)

    @api.model_create_multi
    def create(self, vals_list):
        rules = super(GovernancePolicyRule, self.with_context(**{BULK_CONTEXT: True})).create(vals_list).with_env(self.env)
        if not self.env.context.get(BULK_CONTEXT):
            rules.policy_id._bump_version(_("Rules added: %s", ", ".join(rules.mapped("code"))))
        return rules

    def write(self, vals):
        result = super(GovernancePolicyRule, self.with_context(**{BULK_CONTEXT: True})).write(vals)
        if not self.env.context.get(BULK_CONTEXT):
            self.policy_id._bump_version(_("Rules changed: %s", ", ".join(self.mapped("code"))))
        return result

    def unlink(self):
        policies, codes = self.policy_id, ", ".join(self.mapped("code"))
        result = super().unlink()
        if not self.env.context.get(BULK_CONTEXT):
            policies.exists()._bump_version(_("Rules removed: %s", codes))
        return result

    def _group_xml_ids(self, groups):
        """XML ids of groups (the policy document names groups by XML id); gives one to groups made in the UI."""
        xml_ids = groups.sudo().get_external_id()
        for group in groups.filtered(lambda group: not xml_ids.get(group.id)):
            name = f"res_groups_{group.id}_{uuid.uuid4().hex[:8]}"
            self.env["ir.model.data"].sudo().create(
                {"module": "__export__", "name": name, "model": "res.groups", "res_id": group.id}
            )
            xml_ids[group.id] = f"__export__.{name}"
        return xml_ids

    def _approver_refs(self, users, groups, field):
        refs = [{"type": "user", "ref": user.login} for user in users.sorted("login")]
        group_xmlids = self._group_xml_ids(groups)
        refs += [{"type": "group", "ref": group_xmlids[group.id]} for group in groups.sorted("id")]
        if field:
            refs.append({"type": "field", "ref": field})
        return refs

    def _export(self):
        """This rule as a rule of the contract's policy document."""
        self.ensure_one()
        rule = {
            "id": self.code or "",
            "sequence": self.sequence,
            "document_type": self.document_type or "",
            "conditions": [condition._export() for condition in self.condition_ids.sorted(lambda c: (c.sequence, c.id))],
            "action": self.action,
            "reason": self.reason or "",
        }
        if self.action == "require_tier":
            escalate_to = self._approver_refs(self.escalate_user_id, self.escalate_group_id, False)
            rule["tier"] = {
                "level": self.tier_level,
                "name": self.tier_name or "",
                "approvers": self._approver_refs(self.approver_user_ids, self.approver_group_ids, self.approver_field),
                "min_approvals": self.min_approvals,
                "sla_hours": self.sla_hours or None,
                "escalate_to": escalate_to[0] if escalate_to else None,
            }
            if self.confirm_with_password:
                # Only when set, so documents of policies that never use it keep their content hash.
                rule["tier"]["confirm_with_password"] = True
        return rule
