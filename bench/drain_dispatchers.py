#!/usr/bin/env python3
"""Outbox drain with one and with two dispatchers, posting one or four at once (issue 15, item 5), in the same run.

The second dispatcher is the cron "Governance: deliver outbox events (second dispatcher)"
(inactive by default). For each round this script turns it off (one dispatcher) or on (two),
commits --events pings for a subscription whose receiver is a local process, and times the drain
until every event has arrived; it then checks that no event arrived twice and prints events/s
and the ratio two/one. Needs an Odoo with two or more cron threads, e.g. prefork:

  python3 /opt/odoo18/odoo-bin -c /opt/odoo18.conf -d scale_odoo --db-filter='^scale_odoo$' \\
      --addons-path=/opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon \\
      --workers=2 --max-cron-threads=2 --http-port=18669 --gevent-port=18670 &
  python3 bench/drain_dispatchers.py --url http://127.0.0.1:18669 --db scale_odoo \\
      --odoo-bin /opt/odoo18/odoo-bin --odoo-python /usr/bin/python3 --odoo-config /opt/odoo18.conf \\
      --addons-path /opt/odoo18/addons,/opt/odoo18/odoo/addons,$PWD/odoo_addon --events 5000
"""
import os
import sys
import time
import subprocess
from collections import Counter

from bench_support import Odoo, Receiver, odoo_arguments
from outbox_drain import seed_backlog

SECOND = "distribution_governance.ir_cron_governance_dispatch_2"


def main():
    parser = odoo_arguments(__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--odoo-bin", default=os.environ.get("ODOO_BIN", "odoo-bin"))
    parser.add_argument("--odoo-python", default=os.environ.get("ODOO_PYTHON", sys.executable))
    parser.add_argument("--odoo-config", default=os.environ.get("ODOO_CONFIG"))
    parser.add_argument("--addons-path", default=os.environ.get("ODOO_ADDONS_PATH"))
    parser.add_argument("--receiver-delay", type=float, default=0.0,
                        help="seconds the receiver takes per delivery (n8n's trigger answers after its claim in Odoo)")
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 user=odoo password=odoo",
                        help="libpq connection string (without dbname) to switch the second dispatcher in SQL")
    args = parser.parse_args()
    odoo = Odoo(args.url, args.db, args.login, args.password)
    module, name = SECOND.split(".")

    def second_dispatcher(active):
        # In SQL: Odoo refuses an RPC write on a cron job while a cron worker holds its row.
        subprocess.run(["psql", f"{args.pg} dbname={args.db}", "-qc",
                        f"UPDATE ir_cron SET active = {'true' if active else 'false'} WHERE id = (SELECT res_id"
                        f" FROM ir_model_data WHERE module = '{module}' AND name = '{name}')"], check=True)
    receiver = Receiver(delay=args.receiver_delay)
    subscription = odoo.call("governance.subscription", "create", {
        "name": "bench dispatchers", "url": receiver.url, "event_types": "governance.ping"})
    rates = {}
    parallelism = "distribution_governance.dispatch_parallelism"
    try:
        # (dispatchers, deliveries posted at once per dispatcher), twice each.
        for dispatchers, width in [(1, 1), (1, 4), (2, 4)] * 2:
            second_dispatcher(dispatchers == 2)
            odoo.call("ir.config_parameter", "set_param", parallelism, str(width))
            receiver.reset()
            committed = seed_backlog(args, subscription, args.events)
            if not receiver.wait_for(args.events, timeout=3600):
                print(f"only {receiver.count()} of {args.events} arrived within an hour")
            time.sleep(3)
            receipts = receiver.receipts()
            last = max(at for at, _id, _size in receipts)
            copies = Counter(event_id for _at, event_id, _size in receipts)
            twice = sum(count - 1 for count in copies.values() if count > 1)
            rate = len(copies) / (last - committed)
            rates.setdefault((dispatchers, width), []).append(rate)
            print(f"{dispatchers} dispatcher(s) posting {width} at once: {len(copies)} events in {last - committed:.1f} s"
                  f" = {rate:.0f} events/s; sent twice: {twice}", flush=True)
        best = {key: max(values) for key, values in rates.items()}
        print(f"one dispatcher, 4 at once / one at a time: {best[(1, 4)] / best[(1, 1)]:.2f}")
        print(f"two dispatchers / one (4 at once each):     {best[(2, 4)] / best[(1, 4)]:.2f}")
    finally:
        second_dispatcher(False)
        odoo.call("ir.config_parameter", "set_param", parallelism, "")
        odoo.call("governance.subscription", "write", [subscription], {"active": False})
        receiver.stop()


if __name__ == "__main__":
    main()
