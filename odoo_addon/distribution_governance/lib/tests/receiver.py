"""A real HTTP receiver on 127.0.0.1 for tests, in plain Python: the library's tests (without Odoo)
and the addon's Odoo tests both deliver to it."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every delivery and answers as told.

    ``answers`` are (status, body) pairs given first, in order; then ``status`` is the answer.
    ``delay`` seconds are waited before answering (released at once by ``stop``). Keep-alive is on
    (HTTP/1.1), so connection reuse shows in the requests' ``client_port``. ``drops`` requests are
    read and their connection closed without an answer (a kept-alive connection closed under a request).
    """

    def __init__(self):
        self.requests = []
        self.answers = []  # (status, body) answers to give first, in order
        self.status = 200
        self.delay = 0
        self.drops = 0
        self.released = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    if receiver.drops:
                        receiver.drops -= 1
                        self.close_connection = True
                        return
                    receiver.requests.append({
                        "headers": {name.lower(): value for name, value in self.headers.items()},
                        "body": body.decode("utf-8"),
                        "path": self.path,
                        "client_port": self.client_address[1],
                    })
                    if receiver.answers:
                        status, answer = receiver.answers.pop(0)
                    else:
                        status = receiver.status
                        answer = b"ok" if status < 300 else b"receiver says no"
                    delay = receiver.delay
                if delay:
                    receiver.released.wait(delay)
                self.send_response(status)
                if status in (301, 302, 303, 307, 308):
                    self.send_header("location", "/elsewhere")
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A client that gave up (timeout test) closes the socket before the answer.
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def events(self):
        return [json.loads(request["body"]) for request in self.requests]

    def reset(self, status=200, delay=0):
        with self.lock:
            self.requests.clear()
            self.answers.clear()
            self.status = status
            self.delay = delay
            self.drops = 0

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port_url():
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
