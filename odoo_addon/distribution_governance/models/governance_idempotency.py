import hashlib
import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..lib.canonical_json import canonical_json
from ..lib.errors import coded


class GovernanceIdempotency(models.Model):
    """The first result of every write-back call made with an idempotency key.

    A key belongs to its caller (and, for a decision, to the person acting): another user's call
    with the same key is another key, so it never sees nor blocks someone else's stored result.
    """

    _name = "governance.idempotency"
    _description = "Write-back API Idempotency Key"
    _order = "id desc"
    _rec_name = "key"

    method = fields.Char(required=True, readonly=True)
    key = fields.Char(required=True, readonly=True)
    params_hash = fields.Char(required=True, readonly=True)
    result = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one("res.users", "Called By", required=True, readonly=True,
                              default=lambda self: self.env.user)
    actor_id = fields.Many2one("res.users", "Acting For", readonly=True)
    scope = fields.Char(required=True, readonly=True, help="Whose key this is: the caller, and the acting person.")

    _sql_constraints = [
        ("method_scope_key_unique", "UNIQUE(method, scope, key)",
         "An idempotency key is used once per method and caller."),
    ]

    @staticmethod
    def _params_hash(params):
        body = {name: value for name, value in params.items() if name != "idempotency_key"}
        return "sha256:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()

    @api.model
    def _run_once(self, method, params, call, actor=None):
        """``call()``'s result, or the stored result of this caller's first call with the same key
        (for the same ``actor``, when the call acts for someone)."""
        key = params["idempotency_key"]
        params_hash = self._params_hash(params)
        scope = f"user:{self.env.user.id}" + (f"/actor:{actor.id}" if actor else "")
        stored = self.sudo().search([("method", "=", method), ("scope", "=", scope), ("key", "=", key)], limit=1)
        if stored:
            if stored.params_hash != params_hash:
                raise UserError(coded("idempotency_conflict", _("Idempotency key %(key)s was already used for %(method)s "
                                  "with different params.", key=key, method=method)))
            return json.loads(stored.result)
        result = call()
        self.sudo().create({"method": method, "key": key, "scope": scope, "params_hash": params_hash,
                            "result": json.dumps(result), "user_id": self.env.user.id,
                            "actor_id": actor.id if actor else False})
        return result
