"""Emit governance.ping events for the fault suite and the queue-mode benchmarks, inside Odoo.

Run through `odoo-bin shell` (this file on stdin) with DG_EMIT_SUBSCRIPTION, DG_EMIT_COUNT,
DG_EMIT_SUBJECTS (events rotate over this many documents, so the dispatcher's one-at-a-time rule
per document does not serialise the whole burst), DG_EMIT_CHUNK (events per commit) and
DG_EMIT_TAG (text in each ping's message). Prints one JSON line: {"emitted": n, "seconds": s}.
"""
import json
import os
import time

subscription = env["governance.subscription"].sudo().browse(int(os.environ["DG_EMIT_SUBSCRIPTION"]))  # noqa: F821
count = int(os.environ.get("DG_EMIT_COUNT", "100"))
subjects = int(os.environ.get("DG_EMIT_SUBJECTS", "200"))
chunk = int(os.environ.get("DG_EMIT_CHUNK", "200"))
tag = os.environ.get("DG_EMIT_TAG", "fault-suite")
# Documents need not exist for an event: the subject is <model>/<id> (ids far above real ones).
partners = env["res.partner"].sudo().browse([10 ** 9 + index for index in range(subjects)])  # noqa: F821
Event = env["governance.event"].sudo()  # noqa: F821
company = env.company  # noqa: F821
started = time.time()
for index in range(count):
    Event._emit("governance.ping", partners[index % subjects],
                {"subscription_id": subscription.id, "message": f"{tag} {index}"},
                company=company, subscriptions=subscription)
    if (index + 1) % chunk == 0:
        env.cr.commit()  # noqa: F821
env.cr.commit()  # noqa: F821
print(json.dumps({"emitted": count, "seconds": round(time.time() - started, 2)}), flush=True)
