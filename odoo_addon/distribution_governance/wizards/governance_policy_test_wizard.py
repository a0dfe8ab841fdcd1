import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import policy as policy_lib
from ..lib.errors import coded

MAX_FACTS_CHARS = 20000
OUTCOME_NAMES = {"auto_approve": "Straight through (no approval needed)", "needs_approval": "Needs approval", "hold": "Hold",
                 "blocked": "Blocked"}


class GovernancePolicyTestWizard(models.TransientModel):
    """"Test this policy": what the policy's current version says about a document, or about typed
    facts, with its reasons and tiers. It evaluates only: no request, review, event or audit entry."""

    _name = "governance.policy.test.wizard"
    _description = "Test a Policy"

    policy_id = fields.Many2one("governance.policy", required=True, readonly=True)
    source = fields.Selection([("document", "A document"), ("facts", "Typed facts")], default="document", required=True)
    document_ref = fields.Reference(selection="_selection_document", string="Document")
    document_type = fields.Selection(selection="_selection_document_type", string="Document type")
    facts_json = fields.Text(
        "Facts", help='The facts as JSON, e.g. {"amount": "12500.00", "vendor_preferred": false}.',
    )
    evaluated = fields.Boolean(readonly=True)
    outcome = fields.Char(readonly=True)
    reasons = fields.Text(readonly=True)
    tiers = fields.Text(readonly=True)
    facts_used = fields.Text("Facts evaluated", readonly=True)

    @api.model
    def _selection_document_type(self):
        return self.env["governance.policy.rule"]._selection_document_type()

    @api.model
    def _selection_document(self):
        return self._selection_document_type()

    def _subject(self):
        if self.source == "document":
            if not self.document_ref:
                raise ValidationError(coded("invalid_params", _("Choose the document to test.")))
            return self.document_ref._governance_subject()
        if not self.document_type:
            raise ValidationError(coded("invalid_params", _("Choose the document type the facts describe.")))
        text = (self.facts_json or "").strip()
        if len(text) > MAX_FACTS_CHARS:
            raise ValidationError(coded("invalid_params", _("Facts: at most %s characters.", MAX_FACTS_CHARS)))
        try:
            facts = json.loads(text or "{}")
        except ValueError as error:
            raise ValidationError(coded("invalid_params", _("Facts: not valid JSON (%s).", error))) from error
        if not isinstance(facts, dict):
            raise ValidationError(coded("invalid_params", _('Facts: write a JSON object, e.g. {"amount": "1000"}.')))
        return {"document_type": self.document_type, "facts": facts}

    def action_run(self):
        self.ensure_one()
        subject = self._subject()
        result = policy_lib.evaluate(self.policy_id.export_document(), subject)
        if "error" in result:
            error = result["error"]
            raise UserError(coded(error["code"], _("The policy cannot evaluate this: %(path)s %(message)s",
                                                   path=error["path"], message=error["message"])))
        rules = {rule.code: rule for rule in self.policy_id.rule_ids}
        tiers = [self.env._("Level %(level)s: %(tiers)s", level=level["level"], tiers=", ".join(
            rules[rule_id].tier_name or rule_id if rule_id in rules else rule_id for rule_id in level["tiers"]))
            for level in result["levels"]]
        reasons = [reason["text"] for reason in result["reasons"]]
        if result["missing_facts"]:
            reasons.append(_("Missing data: %s", ", ".join(result["missing_facts"])))
        self.write({
            "evaluated": True,
            "outcome": OUTCOME_NAMES.get(result["outcome"], result["outcome"]),
            "reasons": "\n".join(reasons) or _("No rule matched."),
            "tiers": "\n".join(tiers) or _("No approval needed."),
            "facts_used": json.dumps(subject["facts"], indent=2, sort_keys=True, ensure_ascii=False),
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("Test this policy")}


class GovernancePolicy(models.Model):
    _inherit = "governance.policy"

    def action_open_policy_test(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "governance.policy.test.wizard", "view_mode": "form",
                "target": "new", "name": _("Test this policy"), "context": {"default_policy_id": self.id}}
