from . import governance_decision_wizard
from . import governance_exception_close_wizard
from . import governance_shipment_hold_wizard
from . import governance_policy_test_wizard
from . import governance_review_reassign_wizard
