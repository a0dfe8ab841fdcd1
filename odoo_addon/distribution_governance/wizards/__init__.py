from . import governance_decision_wizard
