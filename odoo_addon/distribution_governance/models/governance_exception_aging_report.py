from odoo import fields, models, tools

AGE_BUCKETS = [("0_1d", "Under 1 day"), ("1_3d", "1-3 days"), ("3_7d", "3-7 days"), ("7_30d", "7-30 days"),
               ("30d", "Over 30 days")]


class GovernanceExceptionAgingReport(models.Model):
    """Pending aging: the unresolved exceptions by how long they have waited, read at query time."""

    _name = "governance.exception.aging.report"
    _description = "Exception Pending Aging"
    _auto = False
    _order = "age_hours desc"
    # What the view reads: pending writes to these are flushed before it is queried.
    _depends = {"governance.exception": ["name", "exception_type_id", "category", "severity", "state", "owner_id",
                                         "company_id", "create_date", "sla_due"]}

    exception_id = fields.Many2one("governance.exception", "Exception", readonly=True)
    name = fields.Char("Reference", readonly=True)
    exception_type_id = fields.Many2one("governance.exception.type", "Type", readonly=True)
    category = fields.Selection([("business", "Business"), ("technical", "Technical")], readonly=True)
    severity = fields.Selection([("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")],
                                readonly=True)
    state = fields.Selection([("open", "Open"), ("in_progress", "In Progress")], readonly=True)
    owner_id = fields.Many2one("res.users", "Owner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    create_date = fields.Datetime("Raised", readonly=True)
    age_hours = fields.Float("Age (hours)", readonly=True, aggregator="avg")
    age_bucket = fields.Selection(AGE_BUCKETS, "Waiting", readonly=True)
    is_overdue = fields.Boolean("Past SLA", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS (
                SELECT e.id, e.id AS exception_id, e.name, e.exception_type_id, e.category, e.severity, e.state,
                       e.owner_id, e.company_id, e.create_date,
                       EXTRACT(EPOCH FROM (now() at time zone 'utc' - e.create_date)) / 3600.0 AS age_hours,
                       CASE WHEN e.create_date > now() at time zone 'utc' - interval '1 day' THEN '0_1d'
                            WHEN e.create_date > now() at time zone 'utc' - interval '3 days' THEN '1_3d'
                            WHEN e.create_date > now() at time zone 'utc' - interval '7 days' THEN '3_7d'
                            WHEN e.create_date > now() at time zone 'utc' - interval '30 days' THEN '7_30d'
                            ELSE '30d' END AS age_bucket,
                       COALESCE(e.sla_due < now() at time zone 'utc', FALSE) AS is_overdue
                  FROM governance_exception e
                 WHERE e.state IN ('open', 'in_progress')
            )""")
