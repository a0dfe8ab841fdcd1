from contextlib import contextmanager
from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import GovernanceCase


class ReleasedCase(GovernanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = new_test_user(cls.env, login="warehouse", groups="base.group_user,stock.group_stock_user",
                                      password="warehouse-pass-1234", name="Wendy Warehouse")
        cls.accountant = new_test_user(cls.env, login="accountant", groups="base.group_user,account.group_account_invoice",
                                       password="accountant-pass-1234", name="Anna Accountant")
        cls.other_product = cls.env["product.product"].create({
            "name": "Bearing 6205", "categ_id": cls.category.id, "standard_price": 10.0,
            "seller_ids": [Command.create({"partner_id": cls.vendor.id, "price": 10.0})],
        })

    @contextmanager
    def refused(self, pattern, exception=UserError):
        """Expect ``exception`` matching ``pattern``; like a refused request, nothing of the attempt stays."""
        with self.assertRaises(exception) as caught:  # Odoo's assertRaises rolls back to a savepoint
            yield caught
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all(flush=False)  # the cache may keep the refused values

    def stored(self, line):
        """(product_qty, price_unit, product_id) of ``line`` in the database."""
        self.env.cr.execute("SELECT product_qty, price_unit, product_id FROM purchase_order_line WHERE id = %s", line.ids)
        qty, price, product = self.env.cr.fetchone()
        return float(qty), float(price), product

    def release_changes(self, order):
        return self.env["governance.audit.log"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id), ("event", "=", "released_change")])


@tagged("post_install", "-at_install")
class TestReleasedDocuments(ReleasedCase):
    """What was approved is what is executed: changes after release stay within the approval or are refused."""

    def test_raising_an_approved_order_is_refused(self):
        order = self.approved_order(12500)
        line = order.order_line
        with self.refused(r"was approved in .* amount 500000\.00 is above "
                          r"the approved 12500\.00.*new purchase order.*\[dg:approval_required\]$"):
            line.with_user(self.buyer).write({"product_qty": 100, "price_unit": 5000})
        self.assertEqual(self.stored(line), (1.0, 12500.0, self.product.id))
        self.assertEqual((order.amount_untaxed, order.governance_state), (12500, "approved"))
        self.assertFalse(self.release_changes(order))

    def test_adding_lines_after_approval_is_refused(self):
        order = self.approved_order(12500)
        with self.refused(r"amount 12510\.00 is above the approved 12500\.00.*\[dg:approval_required\]"):
            order.with_user(self.buyer).write({"order_line": [
                Command.create({"product_id": self.product.id, "product_qty": 1, "price_unit": 10})]})
        with self.refused("dg:approval_required"):
            self.env["purchase.order.line"].with_user(self.buyer).create({
                "order_id": order.id, "product_id": self.product.id, "product_qty": 1, "price_unit": 10})
        self.env.cr.execute("SELECT count(*) FROM purchase_order_line WHERE order_id = %s", order.ids)
        self.assertEqual(self.env.cr.fetchone()[0], 1)

    def test_change_within_the_approval_is_allowed_and_audited(self):
        order = self.approved_order(12500)
        self.assertIn("must stay within this approval (amount at most 12500.00; the approved currency, products, vendor)",
                      order.with_user(self.buyer).governance_summary)
        line = order.order_line
        line.with_user(self.buyer).write({"product_qty": 2, "price_unit": 5000})
        self.assertEqual(order.amount_untaxed, 10000)
        entry = self.release_changes(order)
        self.assertEqual(entry.actor_id, self.buyer)
        self.assertIn("within what", entry.summary)
        self.assertIn("12500.00", entry.summary)
        # Back up to what was approved, and a second line of an approved product: still within.
        line.with_user(self.buyer).write({"product_qty": 1, "price_unit": 12000})
        order.with_user(self.buyer).write({"order_line": [
            Command.create({"product_id": self.product.id, "product_qty": 50, "price_unit": 10})]})
        self.assertEqual(order.amount_untaxed, 12500)
        self.assertEqual((order.state, order.governance_state), ("purchase", "approved"))
        self.assertEqual(len(self.release_changes(order)), 3)

    def test_change_that_needs_no_approval_at_all_is_allowed(self):
        order = self.approved_order(12500)
        order.order_line.with_user(self.buyer).write({"price_unit": 500})
        self.assertEqual(order.amount_untaxed, 500)
        self.assertIn("meets the policy straight-through", self.release_changes(order).summary)

    def test_other_products_vendor_or_currency_are_refused(self):
        order = self.approved_order(12500)
        line = order.order_line
        with self.refused(r"products: Bearing 6205 added.*\[dg:approval_required\]"):
            line.with_user(self.buyer).write({"product_id": self.other_product.id, "price_unit": 12000})
        self.assertEqual(self.stored(line)[2], self.product.id)
        twin = self.env["res.partner"].create({"name": "Acme Parts Twin", "governance_vendor_risk": "low"})
        # Odoo prices the line from the new vendor's price list: at the same price, the facts stay the same.
        self.product.seller_ids = [Command.create({"partner_id": twin.id, "price": 12500.0, "sequence": 0})]
        with self.refused(r"vendor changed from Acme Parts to Acme Parts Twin.*\[dg:approval_required\]"):
            order.with_user(self.buyer).write({"partner_id": twin.id})
        euro = self.env.ref("base.EUR") if self.currency.name != "EUR" else self.env.ref("base.USD")
        euro.active = True
        with self.refused(r"currency changed.*\[dg:approval_required\]"):
            order.with_user(self.buyer).write({"currency_id": euro.id})

    def test_change_that_the_policy_holds_or_blocks_is_refused(self):
        order = self.approved_order(12500)
        with self.refused(r"would put it on hold.*Emergency orders.*\[dg:approval_required\]"):
            order.with_user(self.buyer).write({"governance_urgency": "emergency"})

    def test_straight_through_order_raised_into_approval_is_refused(self):
        order = self.create_order(500)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.governance_state, "straight_through")
        with self.refused(r"released without approval.*Spend of 1,000 or more.*\[dg:approval_required\]"):
            order.order_line.with_user(self.buyer).write({"product_qty": 10, "price_unit": 500})
        self.assertEqual(self.stored(order.order_line)[0], 1.0)

    def test_writes_that_leave_the_facts_alone_pass_silently(self):
        order = self.approved_order(12500)
        line = order.order_line
        line.with_user(self.buyer).write({"name": "Bearing 6204, sealed", "date_planned": "2030-01-01 10:00:00"})
        order.with_user(self.buyer).write({"partner_ref": "SUP-4711", "order_line": [
            Command.update(line.id, {"date_planned": "2030-02-01 10:00:00"})]})
        # Moving money between lines without raising the total is no change of facts either.
        order.with_user(self.buyer).write({"order_line": [
            Command.update(line.id, {"price_unit": 12490}),
            Command.create({"product_id": self.product.id, "product_qty": 1, "price_unit": 10})]})
        self.assertEqual(order.amount_untaxed, 12500)
        self.assertFalse(self.release_changes(order))

    def test_lines_created_with_a_confirmed_order_are_not_a_change(self):
        order = self.create_order(100, state="purchase")
        self.assertEqual(order.state, "purchase")
        self.assertFalse(self.release_changes(order))
        with self.refused(r"needs approval under the active policy.*\[dg:approval_required\]"):
            self.create_order(5000, state="purchase")

    def test_the_order_form_as_the_buyer(self):
        order = self.approved_order(12500)
        with Form(order.with_user(self.buyer)) as form:
            with form.order_line.edit(0) as line:
                line.product_qty = 100
                line.price_unit = 5000
            with self.refused(r"above the approved 12500\.00.*\[dg:approval_required\]"):
                form.save()
            with form.order_line.edit(0) as line:
                line.product_qty = 1
                line.price_unit = 11000
        self.assertEqual(order.amount_untaxed, 11000)
        self.assertEqual(order.governance_state, "approved")


@tagged("post_install", "-at_install")
class TestWhatFollowsRelease(ReleasedCase):
    """Receiving, billing, sending, locking and cancelling an approved order go on as in Odoo."""

    def test_receive_in_two_steps_then_bill(self):
        order = self.approved_order(12500, order_line=[
            Command.create({"product_id": self.product.id, "product_qty": 10, "price_unit": 1250})])
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        picking = picking.with_user(self.warehouse)
        picking.move_ids.quantity = 4
        action = picking.button_validate()
        Form.from_action(self.env(user=self.warehouse), action).save().process()
        self.assertEqual(order.order_line.qty_received, 4)
        backorder = order.picking_ids - picking
        self.assertEqual(backorder.move_ids.product_uom_qty, 6)
        backorder.with_user(self.warehouse).move_ids.quantity = 6
        backorder.with_user(self.warehouse).button_validate()
        self.assertEqual(order.order_line.qty_received, 10)
        order.with_user(self.buyer).action_create_invoice()
        bill = order.invoice_ids
        self.assertEqual((bill.move_type, bill.amount_untaxed), ("in_invoice", 12500))
        bill = bill.with_user(self.accountant)
        bill.invoice_date = bill.date
        bill.action_post()
        self.assertEqual(order.order_line.qty_invoiced, 10)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual((order.state, order.governance_state), ("purchase", "approved"))

    def test_send_lock_unlock_and_cancel(self):
        order = self.approved_order(12500)
        action = order.with_user(self.buyer).with_context(send_rfq=False).action_rfq_send()
        composer = Form.from_action(self.env(user=self.buyer), action).save()
        composer.action_send_mail()
        self.assertIn(self.vendor, order.message_ids.partner_ids)
        order.with_user(self.purchase_manager).button_done()
        self.assertEqual(order.state, "done")
        order.with_user(self.purchase_manager).button_unlock()
        self.assertEqual(order.state, "purchase")
        order.with_user(self.buyer).button_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.picking_ids.state, "cancel")


@tagged("post_install", "-at_install")
class TestWaitingOrderLines(ReleasedCase):
    """Lines cannot be moved or created into an order whose approval is pending."""

    def setUp(self):
        super().setUp()
        self.waiting = self.create_order(5000)
        self.waiting.with_user(self.buyer).button_confirm()
        self.assertEqual(self.waiting.governance_state, "pending")
        self.draft = self.create_order(4000)

    def test_moving_a_line_into_a_waiting_order_is_refused(self):
        line = self.draft.order_line
        with self.refused(r"waiting for approval.*\[dg:approval_pending\]"):
            line.with_user(self.buyer).write({"order_id": self.waiting.id})
        self.env.cr.execute("SELECT order_id FROM purchase_order_line WHERE id = %s", line.ids)
        self.assertEqual(self.env.cr.fetchone()[0], self.draft.id)
        with self.refused("dg:approval_pending"):
            self.waiting.with_user(self.buyer).write({"order_line": [Command.link(line.id)]})

    def test_creating_a_line_in_a_waiting_order_is_refused(self):
        with self.refused("dg:approval_pending"):
            self.env["purchase.order.line"].with_user(self.buyer).create({
                "order_id": self.waiting.id, "product_id": self.product.id, "product_qty": 1, "price_unit": 1})
        with self.refused("dg:approval_pending"):
            self.env["purchase.order.line"].with_user(self.buyer).with_context(default_order_id=self.waiting.id).create({
                "product_id": self.product.id, "product_qty": 1, "price_unit": 1})
        self.assertEqual(len(self.waiting.order_line), 1)
        # Lines of other orders stay free.
        self.env["purchase.order.line"].with_user(self.buyer).create({
            "order_id": self.draft.id, "product_id": self.product.id, "product_qty": 1, "price_unit": 1})
        self.assertEqual(len(self.draft.order_line), 2)


@tagged("post_install", "-at_install")
class TestReleasedDocumentsOverRpc(ReleasedCase, HttpCase):
    """The buyer calls Odoo's external API as a script would."""

    def call(self, user, model, method, *args):
        return self.xmlrpc_object.execute(self.env.cr.dbname, user.id, f"{user.login}-pass-1234", model, method, *args)

    @mute_logger("odoo.http")
    def test_buyer_cannot_raise_an_approved_order_over_rpc(self):
        order = self.approved_order(12500)
        line = order.order_line
        with self.assertRaisesRegex(Fault, r"500000\.00 is above the approved 12500\.00.*\[dg:approval_required\]"):
            self.call(self.buyer, "purchase.order.line", "write", [line.id], {"product_qty": 100, "price_unit": 5000})
        with self.assertRaisesRegex(Fault, "dg:approval_required"):
            self.call(self.buyer, "purchase.order", "write", [order.id], {"order_line": [
                [1, line.id, {"product_qty": 100, "price_unit": 5000}], [0, 0, {"product_id": self.product.id, "price_unit": 9}]]})
        with self.assertRaisesRegex(Fault, "dg:approval_required"):
            self.call(self.buyer, "purchase.order.line", "create",
                      [{"order_id": order.id, "product_id": self.product.id, "product_qty": 5, "price_unit": 100}])
        self.assertEqual(self.stored(line), (1.0, 12500.0, self.product.id))
        self.call(self.buyer, "purchase.order.line", "write", [line.id], {"price_unit": 12000})
        self.assertEqual(self.stored(line)[1], 12000.0)
        # What follows release, over RPC too: the warehouse receives, the buyer bills.
        picking = order.picking_ids
        self.call(self.warehouse, "stock.move", "write", picking.move_ids.ids, {"quantity": 1})
        self.call(self.warehouse, "stock.picking", "button_validate", picking.ids)
        self.assertEqual(picking.state, "done")
        self.call(self.buyer, "purchase.order", "action_create_invoice", [order.id])
        self.assertEqual(order.invoice_ids.amount_untaxed, 12000)

    @mute_logger("odoo.http")
    def test_buyer_cannot_move_or_create_lines_into_a_waiting_order_over_rpc(self):
        waiting = self.create_order(5000)
        self.call(self.buyer, "purchase.order", "button_confirm", [waiting.id])
        draft = self.create_order(4000)
        with self.assertRaisesRegex(Fault, "dg:approval_pending"):
            self.call(self.buyer, "purchase.order.line", "write", draft.order_line.ids, {"order_id": waiting.id})
        with self.assertRaisesRegex(Fault, "dg:approval_pending"):
            self.call(self.buyer, "purchase.order.line", "create",
                      [{"order_id": waiting.id, "product_id": self.product.id, "product_qty": 1, "price_unit": 1}])
        self.assertEqual(waiting.order_line.price_unit, 5000)
        self.assertEqual(len(waiting.order_line), 1)

