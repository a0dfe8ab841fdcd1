from odoo import fields, models

CATEGORIES = [("business", "Business"), ("technical", "Technical")]
SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]


class GovernanceExceptionType(models.Model):
    """A kind of exception (price variance, delivery dead-lettered, ...) and its defaults.

    The list is data, so a new kind needs no code: add a record, or raise an exception of a new
    code through the write-back API and the type is created with it.
    """

    _name = "governance.exception.type"
    _description = "Exception Type"
    _order = "category, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable identifier used by the API and integrations.")
    category = fields.Selection(CATEGORIES, required=True, default="business")
    default_severity = fields.Selection(SEVERITIES, required=True, default="medium")
    sla_hours = fields.Integer("SLA (hours)", default=24, help="Time to resolve; 0 for none.")
    default_owner_id = fields.Many2one("res.users", "Default Owner")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "An exception type code is used once."),
        ("sla_not_negative", "CHECK(sla_hours >= 0)", "The SLA cannot be negative."),
    ]
