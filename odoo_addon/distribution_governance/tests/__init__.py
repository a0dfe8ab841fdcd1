from . import test_policy_versions
from . import test_purchase_governance
from . import test_reviews
from . import test_sla
from . import test_audit_log
from . import test_api
from . import test_security
from . import test_rpc
