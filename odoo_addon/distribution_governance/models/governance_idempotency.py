import hashlib
import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib.canonical_json import canonical_json


class GovernanceIdempotency(models.Model):
    """The first result of every write-back call made with an idempotency key."""

    _name = "governance.idempotency"
    _description = "Write-back API Idempotency Key"
    _order = "id desc"
    _rec_name = "key"

    method = fields.Char(required=True, readonly=True)
    key = fields.Char(required=True, readonly=True)
    params_hash = fields.Char(required=True, readonly=True)
    result = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one("res.users", "Called By", readonly=True, default=lambda self: self.env.user)

    _sql_constraints = [
        ("method_key_unique", "UNIQUE(method, key)", "An idempotency key is used once per method."),
    ]

    @staticmethod
    def _params_hash(params):
        body = {name: value for name, value in params.items() if name != "idempotency_key"}
        return "sha256:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()

    @api.model
    def _run_once(self, method, params, call):
        """``call()``'s result, or the stored result of the first call with the same key."""
        key = params["idempotency_key"]
        params_hash = self._params_hash(params)
        stored = self.sudo().search([("method", "=", method), ("key", "=", key)], limit=1)
        if stored:
            if stored.params_hash != params_hash:
                raise UserError(_("[dg:idempotency_conflict] Idempotency key %(key)s was already used for %(method)s "
                                  "with different params.", key=key, method=method))
            return json.loads(stored.result)
        result = call()
        self.sudo().create({"method": method, "key": key, "params_hash": params_hash, "result": json.dumps(result)})
        return result
