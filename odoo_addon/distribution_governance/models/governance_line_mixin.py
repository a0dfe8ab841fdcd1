from odoo import api, models


class GovernanceLineMixin(models.AbstractModel):
    """Lines of a governed document: what they hold is part of the document's facts.

    A line model inherits this mixin and names the field of its document and the line fields the
    facts come from. While the document waits for approvers, creating, changing, moving or
    deleting such lines is refused, for the document a line leaves and for the one it joins;
    after release the change must stay within what was approved (``governance.mixin``).
    """

    _name = "governance.line.mixin"
    _description = "Line of a Governed Document"

    # The many2one to the governed document (e.g. "order_id").
    _governance_document_field = None
    # Line fields the document's facts come from; the document field itself counts as one.
    _governance_locked_fields = ()

    def _governance_documents(self, vals_list=()):
        """The documents of these lines, and those that ``vals_list`` would attach lines to."""
        field = self._governance_document_field
        documents = self[field]
        ids = {vals[field] for vals in vals_list if vals.get(field)}
        default = self.env.context.get(f"default_{field}")
        if default and any(field not in vals for vals in vals_list):
            ids.add(default)
        return (documents | documents.browse(ids)).exists()

    def _governance_guard(self, documents):
        """Refuse to touch the lines of waiting documents; return the snapshot to check after the change."""
        documents._governance_check_unlocked()
        return documents._governance_unguarded()._governance_snapshot()

    @api.model_create_multi
    def create(self, vals_list):
        documents = self._governance_documents(vals_list)
        before = self._governance_guard(documents)
        records = super().create(vals_list)
        documents._governance_check_released_change(before)
        return records

    def write(self, vals):
        if not set(vals) & (set(self._governance_locked_fields) | {self._governance_document_field}):
            return super().write(vals)
        documents = self._governance_documents([vals])
        before = self._governance_guard(documents)
        result = super().write(vals)
        documents._governance_check_released_change(before)
        return result

    def unlink(self):
        documents = self._governance_documents()
        before = self._governance_guard(documents)
        result = super().unlink()
        documents._governance_check_released_change(before)
        return result
