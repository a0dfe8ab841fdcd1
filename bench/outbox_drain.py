#!/usr/bin/env python3
"""Benchmark (c) of issue 4: how fast one dispatcher drains a backlog, and how soon an event arrives.

1. Baseline: this process posts the same number of events to the receiver with one kept-alive
   requests.Session, as fast as it can (the ceiling for one sequential sender on this machine).
2. Backlog: ``odoo-bin shell`` writes --events ping events (each about its own document, so none
   waits for another) for one subscription in one transaction and commits; Odoo's cron thread
   (the one dispatcher) is woken by the commit and drains them into the receiver. Prints events/s,
   its ratio to the baseline, and commit-to-receipt latency p50/p95 over the backlog.
3. Single events: --pings test pings, one committed RPC call each, 100 ms apart; prints the
   latency p50/p95 from the call's return (its commit) to the receiver's receipt, in ms.
4. Recovery (--recovery): the same number of events for a subscription whose receiver is down
   (a closed port); once every delivery has failed once, the subscription is pointed at the
   receiver (the receiver is back). Prints how long until the first and the last event arrive,
   and the drain after the first arrival against the normal drain of step 2 (issue 9, item 8).

The receiver runs in its own process. Needs a running Odoo with distribution_governance and
exactly one cron thread (--max-cron-threads=1), and the same Odoo's odoo-bin and config for the
shell that writes the backlog:

  python3 bench/outbox_drain.py --url http://127.0.0.1:8192 --db dg_outbox_bench \
      --odoo-bin /opt/odoo18/odoo-bin --odoo-config /opt/odoo18.conf \
      --addons-path /opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon [--events 10000]
"""

import json
import os
import socket
import subprocess
import sys
import time

import requests

from bench_support import Odoo, Receiver, odoo_arguments, percentile

SEED = """
import time
subscription = env["governance.subscription"].browse({subscription})
Event = env["governance.event"]
company = env.company
# Documents need not exist for an event: the subject is <model>/<id> (ids far above real ones).
for index in range({events}):
    Event._emit("governance.ping", env["res.partner"].browse(10 ** 9 + index),
                {{"subscription_id": subscription.id, "message": "backlog"}}, company=company,
                subscriptions=subscription)
env.cr.commit()
print("COMMITTED", repr(time.time()))
"""


def baseline_rate(receiver, count):
    session = requests.Session()
    body = json.dumps({"specversion": "1.0", "id": "evt_baseline", "type": "governance.ping", "data": {}}).encode()
    started = time.perf_counter()
    for index in range(count):
        session.post(receiver.url, data=body, timeout=10,
                     headers={"content-type": "application/json", "webhook-id": f"evt_baseline_{index}"})
    return count / (time.perf_counter() - started)


def seed_backlog(args, subscription, events):
    """Commit ``events`` pings for ``subscription`` from an Odoo shell; the commit's time."""
    command = [args.odoo_python, args.odoo_bin, "shell", "-d", args.db, "--no-http", "--log-level=warn"]
    if args.odoo_config:
        command += ["-c", args.odoo_config]
    if args.addons_path:
        command += [f"--addons-path={args.addons_path}"]
    shell = subprocess.run(command, input=SEED.format(subscription=subscription, events=events),
                           capture_output=True, text=True, timeout=1800, check=False)
    committed = [line for line in shell.stdout.splitlines() if line.startswith("COMMITTED")]
    if not committed:
        raise SystemExit(f"the shell did not commit the backlog:\n{shell.stdout[-2000:]}\n{shell.stderr[-4000:]}")
    return float(committed[0].split()[1])


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/down"


def recovery(args, odoo, receiver, normal_drain):
    """Step 4: a backlog built while the receiver was down, then the receiver back."""
    receiver.reset()
    subscription = odoo.call("governance.subscription", "create", {
        "name": "bench recovery", "url": closed_port_url(), "event_types": "governance.ping"})
    try:
        seed_backlog(args, subscription, args.events)
        untried = [("subscription_id", "=", subscription), ("attempt_count", "=", 0)]
        deadline = time.time() + 600
        while odoo.call("governance.delivery", "search_count", untried) and time.time() < deadline:
            time.sleep(0.5)
        odoo.call("governance.subscription", "write", [subscription], {"url": receiver.url})
        back = time.time()
        if not receiver.wait_for(args.events, timeout=3600):
            print(f"recovery: only {receiver.count()} of {args.events} arrived within an hour")
        arrivals = sorted(at for at, _id, _size in receiver.receipts())
        first, last = arrivals[0] - back, arrivals[-1] - back
        drain = arrivals[-1] - arrivals[0]
        print(f"(9.8) recovery: receiver back, first of {len(arrivals)} events after {first:.1f} s (the earliest "
              f"backoff left), last after {last:.1f} s; drain after the first {drain:.1f} s = "
              f"{drain / normal_drain:.2f} of the normal drain ({normal_drain:.1f} s)")
    finally:
        odoo.call("governance.subscription", "write", [subscription], {"active": False})


def main():
    parser = odoo_arguments(__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--pings", type=int, default=100)
    parser.add_argument("--odoo-bin", default=os.environ.get("ODOO_BIN", "odoo-bin"))
    parser.add_argument("--odoo-python", default=os.environ.get("ODOO_PYTHON", sys.executable))
    parser.add_argument("--odoo-config", default=os.environ.get("ODOO_CONFIG"))
    parser.add_argument("--addons-path", default=os.environ.get("ODOO_ADDONS_PATH"))
    parser.add_argument("--recovery", action="store_true", help="also measure step 4, recovery after an outage")
    args = parser.parse_args()
    odoo = Odoo(args.url, args.db, args.login, args.password)
    receiver = Receiver()
    subscription = odoo.call("governance.subscription", "create", {
        "name": "bench drain", "url": receiver.url, "event_types": "governance.ping"})
    try:
        raw = baseline_rate(receiver, min(args.events, 3000))
        print(f"baseline: one requests.Session posts {raw:.0f} events/s to the receiver", flush=True)
        receiver.reset()

        seeding = time.time()
        commit_time = seed_backlog(args, subscription, args.events)
        print(f"backlog: {args.events} events written and committed in {commit_time - seeding:.1f} s", flush=True)
        if not receiver.wait_for(args.events, timeout=3600):
            print(f"only {receiver.count()} of {args.events} arrived within an hour")
        receipts = [entry for entry in receiver.receipts() if entry[1] and not entry[1].startswith("evt_baseline")]
        last = max(at for at, _id, _size in receipts)
        rate = len(receipts) / (last - commit_time)
        latencies = [at - commit_time for at, _id, _size in receipts]
        distinct = len({event_id for _at, event_id, _size in receipts})
        print(f"(c) drain: {len(receipts)} deliveries ({distinct} distinct events) in {last - commit_time:.1f} s = "
              f"{rate:.0f} events/s with one dispatcher; {rate / raw:.2f} of the baseline's rate")
        print(f"(c) backlog commit-to-receipt latency: p50 {percentile(latencies, 0.5):.1f} s, "
              f"p95 {percentile(latencies, 0.95):.1f} s")

        receiver.reset()
        returned = []
        for _index in range(args.pings):
            odoo.call("governance.subscription", "action_test_ping", [subscription])
            returned.append(time.time())
            time.sleep(0.1)
        receiver.wait_for(args.pings, timeout=120)
        arrivals = sorted(at for at, _id, _size in receiver.receipts())
        single = [(arrival - commit) * 1000 for commit, arrival in zip(returned, arrivals)]
        print(f"(c) single event commit-to-receipt latency over {len(single)} pings: "
              f"p50 {percentile(single, 0.5):.0f} ms, p95 {percentile(single, 0.95):.0f} ms")
        if args.recovery:
            recovery(args, odoo, receiver, last - commit_time)
    finally:
        odoo.call("governance.subscription", "write", [subscription], {"active": False})
        receiver.stop()


if __name__ == "__main__":
    main()
