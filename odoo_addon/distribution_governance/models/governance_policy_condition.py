import json

from odoo import _, api, fields, models

from ..lib import policy as policy_lib
from ..lib.policy_words import OPERATOR_LABELS, describe_condition
from .governance_policy import BULK_CONTEXT

LIST_OPERATORS = ("in", "not_in", "any_in", "none_in")


class GovernancePolicyCondition(models.Model):
    """One condition of a rule: a fact, an operator and a value typed as the fact requires."""

    _name = "governance.policy.condition"
    _description = "Governance Policy Condition"
    _order = "rule_id, sequence, id"

    rule_id = fields.Many2one("governance.policy.rule", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    fact = fields.Selection(selection="_selection_fact", required=True)
    op = fields.Selection(
        [(op, OPERATOR_LABELS.get(op, op)) for op in policy_lib.OPERATORS], "Operator", required=True,
        help="Amounts and percentages: is, is not, less than, at most, more than, at least, between; text: is, "
        "is not, is one of, is none of; yes/no: is, is not; category lists: includes any of, includes none of.",
    )
    value = fields.Char(
        help="A decimal (1000.00), a text, true/false, 'low, high' for between, or a comma-separated "
        "list (or a JSON array) for in, not_in, any_in and none_in.",
    )

    @api.model
    def _selection_fact(self):
        return [(name, name) for name in policy_lib.CATALOGUE["facts"]]

    def _typed_value(self):
        """The value as the policy document holds it; left as text when it has no typed form."""
        text = (self.value or "").strip()
        fact_type = policy_lib.FACT_TYPES.get(self.fact)
        if self.op in LIST_OPERATORS or self.op == "between":
            if text.startswith("["):
                try:
                    return json.loads(text)
                except ValueError:
                    return text
            return [item.strip() for item in text.split(",") if item.strip()]
        if fact_type == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if fact_type == "string":
            return self.value or ""
        return text

    def _export(self):
        return {"fact": self.fact, "op": self.op, "value": self._typed_value()}

    description = fields.Char("In words", compute="_compute_description")

    @api.depends("fact", "op", "value", "rule_id.policy_id.currency_id")
    def _compute_description(self):
        for condition in self:
            condition.description = describe_condition(
                condition.fact, condition.op, condition._typed_value(), condition.rule_id.policy_id.currency_id.name or "",
            ) if condition.fact and condition.op else False

    def _notify_policy(self, summary):
        if not self.env.context.get(BULK_CONTEXT):
            self.rule_id.policy_id._bump_version(summary)

    @api.model_create_multi
    def create(self, vals_list):
        conditions = super().create(vals_list)
        conditions._notify_policy(_("Conditions added to %s", ", ".join(conditions.rule_id.mapped("code"))))
        return conditions

    def write(self, vals):
        result = super().write(vals)
        self._notify_policy(_("Conditions changed in %s", ", ".join(self.rule_id.mapped("code"))))
        return result

    def unlink(self):
        rules = self.rule_id
        result = super().unlink()
        if not self.env.context.get(BULK_CONTEXT):
            rules.exists().policy_id._bump_version(_("Conditions removed from %s", ", ".join(rules.mapped("code"))))
        return result
