"""The outbox's rules that need no database: retry schedule, envelopes, subscription matching.

Deliveries are retried with exponential backoff (one minute doubling up to twelve hours, each
delay jittered by up to a fifth either way so that a receiver coming back is not hit by every
delivery at once) for sixteen attempts, about three days, and then dead-lettered.
"""

import random

from .canonical_json import canonical_json

MAX_ATTEMPTS = 16
FIRST_DELAY_SECONDS = 60
MAX_DELAY_SECONDS = 12 * 3600
JITTER = 0.2
SPEC_VERSION = "1.0"


def nominal_delay(attempt):
    """Seconds to wait after failed attempt number ``attempt`` (1-based), before jitter."""
    return min(FIRST_DELAY_SECONDS * 2 ** min(attempt - 1, 30), MAX_DELAY_SECONDS)


def retry_delay(attempt, rng=random):
    """The jittered wait after failed attempt ``attempt``."""
    return nominal_delay(attempt) * (1 + rng.uniform(-JITTER, JITTER))


def is_last_attempt(attempt):
    """Whether a failure of attempt ``attempt`` dead-letters the delivery."""
    return attempt >= MAX_ATTEMPTS


def schedule():
    """The nominal waits between the attempts of one delivery, in seconds."""
    return [nominal_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]


def is_success(status):
    """A receiver accepted a delivery only with a 2xx answer (redirects are not followed)."""
    return status is not None and 200 <= status < 300


def timestamp(moment):
    """RFC 3339 UTC text of a naive UTC datetime, as the contract writes times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def envelope(event_id, event_type, source, time, subject, sequence, data, company=None):
    """The CloudEvents 1.0 envelope of contract/events/envelope.schema.json."""
    event = {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "type": event_type,
        "source": source,
        "time": timestamp(time),
        "subject": subject,
        "datacontenttype": "application/json",
        "sequence": str(sequence),
        "data": data,
    }
    if company:
        event["company"] = company
    return event


def envelope_body(event):
    """The exact bytes a delivery carries (and its signature covers)."""
    return canonical_json(event).encode("utf-8")


def split_list(text):
    """Entries of a comma- or newline-separated list, stripped, without empties."""
    return [entry.strip() for entry in (text or "").replace("\n", ",").split(",") if entry.strip()]


def subscription_matches(event_types, company_ids, document_models, event_type, company_id, document_model):
    """Whether a subscription with these filters receives an event (empty filters match all)."""
    return (
        event_type in event_types
        and (not company_ids or company_id in company_ids)
        and (not document_models or document_model in document_models)
    )
