"""Metrics endpoint and SLA scan at scale (issue 15, items 4 and 5): builds a database prefixed
``scale_`` (copy of dg_template + the addon), fills it with bench/scale_data.py and, in the same
run, compares

- the escalation/overdue scan (governance.approval.review._cron_sla, rolled back) with
  1 000 requests and --due due reviews against 100 000 requests and the same --due due;
- GET /distribution_governance/metrics of an Odoo server in prefork mode (--workers=2), answer
  time p50/p95/max over --scrapes scrapes, small data set against 100 000 requests and
  1 000 000 events (with delivered deliveries) plus waiting deliveries and open exceptions.

    python3 bench/scale_metrics.py --db scale_metrics [--keep]

The database is dropped at the end unless --keep. Takes about 5-10 minutes on 2 busy cores.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TOKEN = "scale-bench-metrics-token"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="scale_metrics")
    parser.add_argument("--template", default="dg_template")
    parser.add_argument("--odoo-bin", default="/opt/odoo18/odoo-bin")
    parser.add_argument("--odoo-python", default="/usr/bin/python3")
    parser.add_argument("--odoo-config", default="/opt/odoo18.conf")
    parser.add_argument("--small-requests", type=int, default=1000)
    parser.add_argument("--large-requests", type=int, default=100000)
    parser.add_argument("--large-events", type=int, default=1000000)
    parser.add_argument("--waiting", type=int, default=5000)
    parser.add_argument("--exceptions", type=int, default=2000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--scrapes", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (drop it yourself)")
    args = parser.parse_args()
    if not args.db.startswith("scale_"):
        sys.exit("the database name must start with scale_")
    addons = f"/opt/odoo18/addons,/opt/odoo18/odoo/addons,{os.path.join(REPO, 'odoo_addon')}"
    pg = ["-h", "127.0.0.1", "-U", "odoo"]
    env = dict(os.environ, PGPASSWORD=os.environ.get("PGPASSWORD", "odoo"))
    filestore = os.path.expanduser("~/.local/share/Odoo/filestore")
    odoo = [args.odoo_python, args.odoo_bin, "-c", args.odoo_config, f"--addons-path={addons}", "-d", args.db]

    def shell(**variables):
        with open(os.path.join(HERE, "scale_data.py"), "rb") as script:
            done = subprocess.run(odoo[:2] + ["shell"] + odoo[2:] + ["--no-http", "--log-level=warn"], stdin=script,
                                  env=dict(env, **{k: str(v) for k, v in variables.items()}), capture_output=True,
                                  check=False)
        line = next((text for text in done.stdout.decode().splitlines() if text.startswith('{"counts"')), None)
        if not line:
            sys.exit(f"scale_data.py failed:\n{done.stderr.decode()[-3000:]}")
        return json.loads(line)

    def scrape(url, count):
        times = []
        for _index in range(count):
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
            tick = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = answer.read()
            times.append((time.perf_counter() - tick) * 1000)
        times.sort()
        return {"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95) - 1], "max": times[-1],
                "bytes": len(body)}

    subprocess.run(["dropdb", *pg, "--if-exists", args.db], env=env, check=True)
    subprocess.run(["createdb", *pg, "-T", args.template, args.db], env=env, check=True)
    shutil.rmtree(os.path.join(filestore, args.db), ignore_errors=True)
    if os.path.isdir(os.path.join(filestore, args.template)):
        shutil.copytree(os.path.join(filestore, args.template), os.path.join(filestore, args.db))
    server = None
    try:
        print(f"installing the addon into {args.db} ...", flush=True)
        subprocess.run(odoo + ["-i", "distribution_governance", "--stop-after-init", f"--http-port={free_port()}",
                               "--log-level=warn"], env=env, check=True, capture_output=True)
        subprocess.run(["psql", *pg, args.db, "-qc",
                        f"INSERT INTO ir_config_parameter (key, value) VALUES ('distribution_governance.metrics_token', "
                        f"'{TOKEN}')"], env=env, check=True)
        small = shell(DG_SCALE_REQUESTS=args.small_requests, DG_SCALE_DUE=args.due, DG_SCALE_WAITING=0)
        print("small:", json.dumps(small), flush=True)
        port = free_port()
        server = subprocess.Popen(odoo + [f"--db-filter=^{args.db}$", "--workers=2", "--max-cron-threads=0",
                                          "--http-interface=127.0.0.1", f"--http-port={port}",
                                          f"--gevent-port={free_port()}", "--log-level=warn"],
                                  env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/distribution_governance/metrics"
        for _wait in range(240):
            try:
                scrape(url, 1)
                break
            except OSError:
                time.sleep(0.5)
        scrape(url, 4)  # both workers load the registry
        small_http = scrape(url, args.scrapes)
        print("small scrape (ms):", json.dumps({k: round(v, 1) for k, v in small_http.items()}), flush=True)
        large = shell(DG_SCALE_REQUESTS=args.large_requests, DG_SCALE_DUE=args.due, DG_SCALE_EVENTS=args.large_events,
                      DG_SCALE_WAITING=args.waiting, DG_SCALE_EXCEPTIONS=args.exceptions)
        print("large:", json.dumps(large), flush=True)
        scrape(url, 4)
        large_http = scrape(url, args.scrapes)
        print("large scrape (ms):", json.dumps({k: round(v, 1) for k, v in large_http.items()}), flush=True)
        print(f"\nSLA scan ({args.due} due): {small['counts']['governance_approval_request']} requests "
              f"{small['sla_scan_ms']} ms ({small['sla_scan_queries']} queries), "
              f"{large['counts']['governance_approval_request']} requests {large['sla_scan_ms']} ms "
              f"({large['sla_scan_queries']} queries); ratio large/small {large['sla_scan_ms'] / small['sla_scan_ms']:.2f}")
        print(f"metrics render in process: {small['render_ms_in_process']} ms small, "
              f"{large['render_ms_in_process']} ms large")
        print(f"metrics over HTTP, p50/p95/max: small {small_http['p50']:.1f}/{small_http['p95']:.1f}/"
              f"{small_http['max']:.1f} ms, large ({large['counts']['governance_event']} events, "
              f"{large['counts']['governance_approval_request']} requests) {large_http['p50']:.1f}/"
              f"{large_http['p95']:.1f}/{large_http['max']:.1f} ms; ratio p50 large/small "
              f"{large_http['p50'] / small_http['p50']:.2f}; under 200 ms: {large_http['p95'] < 200}")
    finally:
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        if not args.keep:
            subprocess.run(["dropdb", *pg, "--if-exists", args.db], env=env, check=False)
            shutil.rmtree(os.path.join(filestore, args.db), ignore_errors=True)


if __name__ == "__main__":
    main()
