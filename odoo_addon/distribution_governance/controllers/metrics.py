import hmac

from odoo import http
from odoo.http import request

from ..lib import prometheus


class GovernanceMetricsController(http.Controller):
    """Prometheus scrape target: ``GET /distribution_governance/metrics`` with
    ``Authorization: Bearer <token>``, the token being the system parameter
    ``distribution_governance.metrics_token``. No token configured: the endpoint does not exist
    (404). The database is the one the server's ``--db-filter`` selects."""

    @http.route("/distribution_governance/metrics", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False)
    def metrics(self):
        Metrics = request.env["governance.metrics"].sudo()
        expected = Metrics._token()
        if not expected:
            return request.make_response("Not Found\n", [("Content-Type", "text/plain")], status=404)
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _space, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
            return request.make_response("Unauthorized\n", [("Content-Type", "text/plain"),
                                                            ("WWW-Authenticate", 'Bearer realm="metrics"')], status=401)
        return request.make_response(Metrics._render(), [("Content-Type", prometheus.CONTENT_TYPE),
                                                          ("Cache-Control", "no-store")])
