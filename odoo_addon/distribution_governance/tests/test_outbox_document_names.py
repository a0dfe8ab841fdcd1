from lxml import etree

from odoo.tests import tagged

from .outbox_common import OutboxCase


@tagged("post_install", "-at_install")
class TestOutboxDocumentNames(OutboxCase):
    """Subscriptions, deliveries and events show the document's name, not `purchase.order/12`."""

    def visible_list_fields(self, model):
        arch = self.env[model].with_user(self.manager).get_views([(False, "list")])["views"]["list"]["arch"]
        return [node.get("name") for node in etree.fromstring(arch).iter("field")
                if node.get("optional") != "hide" and node.get("column_invisible") not in ("1", "True")]

    def test_deliveries_and_events_name_their_document(self):
        subscription = self.make_subscription(event_types=["governance.ping"])
        order = self.make_order()
        event = self.ping(subscription, order)
        delivery = event.delivery_ids
        self.assertEqual(event.subject, f"purchase.order/{order.id}")
        self.assertEqual(delivery.with_user(self.manager).document_name, order.name)
        self.assertEqual(event.with_user(self.manager).document_name, order.name)
        # The subscription form lists its deliveries with the delivery list view.
        for model in ("governance.delivery", "governance.event"):
            fields = self.visible_list_fields(model)
            self.assertIn("document_name", fields)
            self.assertNotIn("subject", fields)

    def test_a_deleted_document_keeps_its_subject(self):
        subscription = self.make_subscription(event_types=["governance.ping"])
        partner = self.env["res.partner"].create({"name": "Gone soon"})
        event = self.ping(subscription, partner)
        partner.unlink()
        event.invalidate_recordset()
        self.assertEqual(event.delivery_ids.document_name, f"res.partner/{partner.id}")
        names = self.env["governance.event.subject"]._document_names(["no.such.model/3", "nonsense"])
        self.assertEqual(names, {"no.such.model/3": "no.such.model/3", "nonsense": "nonsense"})
