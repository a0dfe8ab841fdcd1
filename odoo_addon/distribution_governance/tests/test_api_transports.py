import json
from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..lib import api_params, signature
from .common import GovernanceCase


class JsonRpcError(Exception):
    """An error answer of /jsonrpc: ``name`` is the exception class, the message Odoo's."""

    def __init__(self, data):
        super().__init__(data.get("message"))
        self.name = data.get("name")


def nulls(value, path="result"):
    """The paths of every null in ``value``."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in nulls(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in nulls(item, f"{path}[{index}]")]
    return []


@tagged("post_install", "-at_install")
class TestApiOverBothTransports(GovernanceCase, HttpCase):
    """Every governance.api method and every button, called over /xmlrpc/2/object and /jsonrpc as
    the integration user, an approver and a buyer would call them: no result may hold a null."""

    def xmlrpc(self, user, model, method, *args):
        return self.xmlrpc_object.execute(self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, *args)

    def jsonrpc(self, user, model, method, *args):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, list(args), {}]}}
        answer = self.url_open("/jsonrpc", data=json.dumps(body), headers={"Content-Type": "application/json"}).json()
        if "error" in answer:
            raise JsonRpcError(answer["error"]["data"])
        return answer["result"]

    def checked(self, method, result):
        self.assertEqual(nulls(result), [], method)
        schema = api_params.API["methods"][method]["result"]
        if "$ref" not in schema:
            api_params.check(schema, result, method)
        return result

    def test_every_api_method_over_xmlrpc_and_jsonrpc(self):
        called = set()
        for transport in (self.xmlrpc, self.jsonrpc):
            name = transport.__name__

            def call(method, params, user=self.integration):
                called.add(method)
                return self.checked(method, transport(user, "governance.api", method, params))

            self.assertTrue(call("api_info", {})["integration"])
            self.assertFalse(call("api_info", {}, user=self.buyer)["integration"])
            self.assertTrue(call("list_event_types", {})["event_types"])
            document = call("export_policy_document", {})
            self.assertEqual(document, self.policy.export_document())
            # Operations (level 2) has no SLA: its review has no due time, and says so by leaving it out.
            big = self.create_order(20000)
            big.with_user(self.buyer).button_confirm()
            order = self.create_order(5000)
            order.with_user(self.buyer).button_confirm()
            reviews = call("list_pending_reviews", {})["reviews"]
            self.assertEqual({r["tier_name"]: "due" in r for r in reviews if r["document"]["id"] == big.id},
                             {"Purchasing": True})
            self.assertTrue(call("list_pending_reviews", {"actor": "alice"}, user=self.alice)["reviews"])
            decide = {"review_id": self.review(order, "Purchasing").id, "actor": "alice", "outcome": "approve",
                      "idempotency_key": f"{name}-decide-0001"}
            first = call("decide", decide)
            self.assertEqual((first["request_state"], first["actor"]["login"]), ("approved", "alice"))
            self.assertNotIn("on_behalf_of", first)
            self.assertEqual(call("decide", decide), first, "a retry sees the first call's success")
            self.decide(big, "Purchasing", self.alice)
            olga_review = self.review(big, "Operations")
            self.assertEqual([r for r in call("list_pending_reviews", {"actor": "olga"})["reviews"]
                              if r["review_id"] == olga_review.id][0].get("due"), None)
            self.assertEqual(call("decide", {"review_id": olga_review.id, "actor": "olga", "outcome": "approve",
                                             "idempotency_key": f"{name}-olga-0001"}, user=self.olga)["outcome"],
                             "approve")
            recorded = call("record_supplier_confirmation", {
                "purchase_order": order.name, "status": "confirmed", "source": "api",
                "promised_date": order.order_line.date_planned.strftime("%Y-%m-%d"),
                "idempotency_key": f"{name}-supplier-0001"})
            self.assertEqual((recorded["purchase_order"]["name"], recorded["state"]), (order.name, "confirmed"))
            self.assertIn(order.name, [row["purchase_order"]["name"]
                                       for row in call("list_supplier_confirmations", {})["confirmations"]])
            self.assertEqual(call("list_overdue_supplier_confirmations", {}), {"confirmations": []})
            subscription = call("register_subscription", {
                "url": f"http://127.0.0.1:9/{name}", "event_types": ["governance.ping"],
                "secret": signature.generate_secret(), "idempotency_key": f"{name}-subscription-0001"})
            ref = {"subscription_id": subscription["subscription_id"]}
            event = self.env["governance.event"]._emit(
                "governance.ping", order, {"subscription_id": ref["subscription_id"], "message": name},
                company=self.env.company,
                subscriptions=self.env["governance.subscription"].browse(ref["subscription_id"]))
            claim = {**ref, "event_id": event.event_uid, "idempotency_key": f"{name}-claim-0001"}
            self.assertTrue(call("claim_delivery", claim)["claimed"])
            self.assertFalse(call("claim_delivery", dict(claim, idempotency_key=f"{name}-claim-0002"))["claimed"])
            leased_event = self.env["governance.event"]._emit(
                "governance.ping", order, {"subscription_id": ref["subscription_id"], "message": name + " leased"},
                company=self.env.company,
                subscriptions=self.env["governance.subscription"].browse(ref["subscription_id"]))
            leased = {**ref, "event_id": leased_event.event_uid, "idempotency_key": f"{name}-claim-0003",
                      "confirms_start": True}
            self.assertEqual(call("claim_delivery", leased)["started"], False)
            start = {**ref, "event_id": leased_event.event_uid, "claim_key": f"{name}-claim-0003",
                     "execution_id": f"{name}-exec-1"}
            self.assertEqual(call("confirm_delivery_start", start)["execution_id"], f"{name}-exec-1")
            self.assertFalse(call("confirm_delivery_start", dict(start, claim_key=f"{name}-claim-0004"))["started"])
            self.assertEqual(call("rerun_crashed_execution", {"execution_id": f"{name}-exec-1"})["event_id"],
                             leased_event.event_uid)
            self.assertEqual(call("rerun_crashed_execution", {"execution_id": f"{name}-exec-1"}),
                             {"rerun": False, "execution_id": f"{name}-exec-1", "event_id": "", "subscription_id": 0})
            risk = call("purchase_risk_inputs", {"limit": 5})
            self.assertIn("orders", risk)
            note = call("post_summary_note", {
                "document": {"model": "purchase.order", "id": big.id}, "summary": f"{name}: routine order",
                "source": "fallback", "model": "none", "fallback_reason": "timeout",
                "idempotency_key": f"{name}-note-0001"})
            self.assertTrue(note["posted"])
            self.assertEqual(call("subscription_exists", ref), {"exists": True, "active": True})
            self.assertEqual(call("remove_subscription", ref), {"removed": True})
            raised = call("raise_exception", {"exception_type": "n8n.execution_failed", "severity": "high",
                                              "summary": f"{name} failed", "idempotency_key": f"{name}-raise-0001"})
            resolved = call("resolve_exception", {"exception_id": raised["exception_id"], "resolution": "resolved",
                                                  "reason": "rerun", "idempotency_key": f"{name}-resolve-0001"})
            self.assertEqual(resolved["state"], "resolved")
            out = self.env.ref("stock.picking_type_out")
            delivery = self.env["stock.picking"].create({
                "picking_type_id": out.id, "partner_id": self.vendor.id, "carrier_tracking_ref": f"{name}-TRACK-1",
                "location_id": out.default_location_src_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [(0, 0, {"name": "bearing", "product_id": self.product.id, "product_uom_qty": 1,
                                     "location_id": out.default_location_src_id.id,
                                     "location_dest_id": self.env.ref("stock.stock_location_customers").id})]})
            found = call("find_deliveries", {"tracking_reference": f"{name}-TRACK-1"})["deliveries"]
            self.assertEqual([row["id"] for row in found], delivery.ids)
            hold = call("place_shipment_hold", {"delivery_id": delivery.id, "reason": "quality", "summary": f"{name} hold",
                                                "idempotency_key": f"{name}-hold-0001"})
            self.assertEqual((hold["state"], hold["on_hold"], hold["created"]), ("active", True, True))
            ended = call("release_shipment_hold", {"hold_id": hold["hold_id"], "outcome": "release", "reason": "ok",
                                                   "actor": "govmanager", "idempotency_key": f"{name}-release-0001"})
            self.assertEqual((ended["state"], ended["on_hold"]), ("released", False))
            self.assertEqual(call("list_late_shipments", {}), {"late_shipments": []})
        self.assertEqual(called, set(api_params.API["methods"]), "every method of the contract is called")

    @mute_logger("odoo.http")
    def test_errors_carry_their_code_over_both_transports(self):
        params = {"review_id": 999999, "actor": "alice", "outcome": "approve", "idempotency_key": "missing-0001"}
        with self.assertRaisesRegex(Fault, r"\[dg:not_found\]"):
            self.xmlrpc(self.integration, "governance.api", "decide", params)
        with self.assertRaises(JsonRpcError) as caught:
            self.jsonrpc(self.integration, "governance.api", "decide", params)
        self.assertRegex(str(caught.exception), r"\[dg:not_found\]")
        self.assertEqual(caught.exception.name, "odoo.exceptions.MissingError")

    def test_every_button_over_xmlrpc(self):
        order = self.create_order(5000)
        self.assertTrue(self.xmlrpc(self.buyer, "purchase.order", "button_confirm", [order.id]) is not None)
        review = self.review(order, "Purchasing")
        request = self.request_of(order)
        for user, model, method, ids in [
            (self.alice, "governance.approval.review", "action_open_decision", review.ids),
            (self.alice, "governance.approval.review", "action_open_document", review.ids),
            (self.alice, "governance.approval.request", "action_open_document", request.ids),
            (self.alice, "purchase.order", "action_governance_decide", order.ids),
            (self.auditor, "governance.audit.log", "action_verify_chain", []),
        ]:
            self.assertEqual(nulls(self.xmlrpc(user, model, method, ids)), [], method)
        wizard = self.xmlrpc(self.alice, "governance.decision.wizard", "create",
                             {"review_id": review.id, "outcome": "request_changes", "comment": "two quotes please"})
        self.xmlrpc(self.alice, "governance.decision.wizard", "action_confirm", [wizard])
        self.assertEqual(request.state, "changes_requested")
        order2 = self.create_order(5000)
        order2.with_user(self.buyer).button_confirm()
        self.xmlrpc(self.alice, "purchase.order", "action_governance_approve", order2.ids)
        order3 = self.create_order(5000)
        order3.with_user(self.buyer).button_confirm()
        self.xmlrpc(self.alice, "governance.approval.review", "action_approve", self.review(order3, "Purchasing").ids)
        self.assertEqual((order2.state, order3.state), ("purchase", "purchase"))

        subscription = self.env["governance.subscription"].create({
            "name": "buttons", "url": "http://127.0.0.1:9/buttons", "event_types": "governance.ping"})
        exception = self.env["governance.exception"].create({
            "exception_type_id": self.env.ref("distribution_governance.exception_type_delivery_dead_lettered").id,
            "summary": "buttons", "res_model": order.sudo()._name, "res_id": order.id})
        for model, method, ids in [
            ("governance.subscription", "action_test_ping", subscription.ids),
            ("governance.subscription", "action_rotate_secret", subscription.ids),
            ("governance.subscription", "action_replay_dead_letters", subscription.ids),
            ("governance.subscription", "action_open_deliveries", subscription.ids),
            ("governance.delivery", "action_replay", subscription.delivery_ids.ids),
            ("governance.exception", "action_start", exception.ids),
            ("governance.exception", "action_open_document", exception.ids),
            ("governance.exception", "action_open_close_wizard", exception.ids),
            ("governance.policy", "action_retire", self.policy.ids),
            ("governance.policy", "action_activate", self.policy.ids),
        ]:
            self.assertEqual(nulls(self.xmlrpc(self.manager, model, method, ids)), [], method)
        close = self.xmlrpc(self.manager, "governance.exception.close.wizard", "create", {
            "exception_ids": [(6, 0, exception.ids)], "resolution": "resolved", "reason": "done"})
        self.xmlrpc(self.manager, "governance.exception.close.wizard", "action_confirm", [close])
        self.assertEqual(exception.state, "resolved")


@tagged("post_install", "-at_install")
class TestRefusalsReadAsSentences(GovernanceCase, HttpCase):
    """A refusal is a sentence saying what is true, then its code; each code has one exception class."""

    def click(self, model, method, ids):
        """A form button, as the web client calls it; the error dialog's (class, message)."""
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "model": model, "method": method, "args": [ids], "kwargs": {}}}
        answer = self.url_open("/web/dataset/call_button", data=json.dumps(body),
                               headers={"Content-Type": "application/json"}).json()
        self.assertIn("error", answer, f"{model}.{method} was not refused")
        return answer["error"]["data"]["name"], answer["error"]["data"]["message"]

    @mute_logger("odoo.http")
    def test_blocked_confirmation_dialog_shows_the_policy_reasons(self):
        self.vendor.governance_vendor_risk = "high"
        order = self.create_order(100)
        self.authenticate("buyer", "buyer-pass-1234")
        name, message = self.click("purchase.order", "button_confirm", order.ids)
        self.assertEqual(name, "odoo.exceptions.UserError")
        self.assertRegex(message, rf"^{order.name} is blocked by policy Purchasing approvals v\d+: "
                                  r"High-risk vendors are blocked \[dg:blocked\]$")

    @mute_logger("odoo.http")
    def test_a_level_that_has_not_opened_says_what_it_waits_for(self):
        order = self.create_order(20000)
        order.with_user(self.buyer).button_confirm()
        finance = self.review(order, "Finance")
        with self.assertRaises(Fault) as caught:
            self.xmlrpc_object.execute(self.env.cr.dbname, self.integration.id, "n8n-pass-1234", "governance.api",
                                       "decide", {"review_id": finance.id, "actor": "fay", "outcome": "approve",
                                                  "idempotency_key": "too-early-0001"})
        self.assertRegex(caught.exception.faultString,
                         r"Finance \(level 2\) of .* is not open yet: it waits for level 1 to finish\. \[dg:not_open\]")
        self.decide(order, "Purchasing", self.alice)
        with self.assertRaisesRegex(Exception, r"Purchasing of .* is no longer waiting for a decision: it is approved"):
            self.decide(order, "Purchasing", self.alice)

    @mute_logger("odoo.http")
    def test_not_eligible_is_an_access_error_from_every_path(self):
        order = self.create_order(5000)
        order.with_user(self.buyer).button_confirm()
        self.authenticate("outsider", "outsider-pass-1234")
        name, message = self.click("purchase.order", "action_governance_approve", order.ids)
        self.assertEqual(name, "odoo.exceptions.AccessError")
        self.assertTrue(message.endswith("[dg:not_eligible]"), message)
        params = {"review_id": self.review(order, "Purchasing").id, "actor": "outsider", "outcome": "approve",
                  "idempotency_key": "outsider-0001"}
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": "object", "method": "execute_kw",
                "args": [self.env.cr.dbname, self.outsider.id, "outsider-pass-1234", "governance.api", "decide",
                         [params], {}]}}
        error = self.url_open("/jsonrpc", data=json.dumps(body), headers={"Content-Type": "application/json"}).json()
        self.assertEqual(error["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertTrue(error["error"]["data"]["message"].endswith("[dg:not_eligible]"))
