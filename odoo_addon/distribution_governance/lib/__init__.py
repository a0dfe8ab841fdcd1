"""Pure-Python governance logic (no odoo import): policy evaluation, signatures, canonical JSON."""
