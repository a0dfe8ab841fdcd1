from . import test_outbox_exception
from . import test_outbox_subscription_api
from . import test_outbox_dispatch
from . import test_outbox_approval_events
from . import test_outbox_concurrency
