"""What the outbox benchmarks share: a JSON-RPC client for a running Odoo, a webhook receiver in
its own process (so that it does not compete with the measuring process for the GIL), percentiles.

Plain Python 3 standard library plus requests; no Odoo import.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


def odoo_arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", default=os.environ.get("ODOO_URL", "http://127.0.0.1:8069"))
    parser.add_argument("--db", default=os.environ.get("ODOO_DB"), required=not os.environ.get("ODOO_DB"))
    parser.add_argument("--login", default=os.environ.get("ODOO_LOGIN", "admin"))
    parser.add_argument("--password", default=os.environ.get("ODOO_PASSWORD", "admin"))
    return parser


class Odoo:
    """execute_kw over /jsonrpc on one kept-alive connection."""

    def __init__(self, url, db, login, password):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=600)
        self.db, self.password = db, password
        self.uid = self._rpc("common", "login", [db, login, password])
        if not self.uid:
            raise SystemExit(f"cannot log in to {url} database {db} as {login}")

    def _rpc(self, service, method, args):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                           "params": {"service": service, "method": method, "args": args}})
        self.connection.request("POST", "/jsonrpc", body, {"content-type": "application/json"})
        answer = json.loads(self.connection.getresponse().read())
        if "error" in answer:
            data = answer["error"].get("data", {})
            raise RuntimeError(f"{data.get('name')}: {data.get('message')}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self._rpc("object", "execute_kw", [self.db, self.uid, self.password, model, method, list(args), kwargs])


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def _serve(port_pipe, command_pipe, delay):
    receipts = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if delay:
                time.sleep(delay)
            receipts.append((time.time(), self.headers.get("webhook-id"), len(body)))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

        def handle_error(self, request, client_address):
            pass

    server = Server(("127.0.0.1", 0), Handler)
    port_pipe.send(server.server_address[1])
    import threading
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        command = command_pipe.recv()
        if command == "count":
            command_pipe.send(len(receipts))
        elif command == "receipts":
            command_pipe.send(list(receipts))
        elif command == "reset":
            receipts.clear()
            command_pipe.send(True)
        elif command == "stop":
            server.shutdown()
            command_pipe.send(True)
            return


class Receiver:
    """A webhook receiver in a child process; answers 204 after ``delay`` seconds."""

    def __init__(self, delay=0):
        port_parent, port_child = multiprocessing.Pipe()
        self.commands, command_child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(port_child, command_child, delay), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{port_parent.recv()}/hook"

    def ask(self, command):
        self.commands.send(command)
        return self.commands.recv()

    def count(self):
        return self.ask("count")

    def receipts(self):
        return self.ask("receipts")

    def reset(self):
        return self.ask("reset")

    def wait_for(self, count, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        self.ask("stop")
        self.process.join(timeout=10)
