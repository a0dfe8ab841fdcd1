from . import governance_decision_wizard
from . import governance_exception_close_wizard
from . import governance_shipment_hold_wizard
