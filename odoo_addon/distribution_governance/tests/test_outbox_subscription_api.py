from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..lib import api_params, signature
from .outbox_common import OutboxCase


@tagged("post_install", "-at_install")
class TestSubscriptionApi(OutboxCase):
    """The methods the n8n trigger calls (nodes/OdooGovernanceTrigger/subscription.ts), with its params."""

    def register(self, api=None, **overrides):
        params = dict({
            "url": "http://127.0.0.1:5678/webhook/abc/odoo-governance",
            "event_types": ["approval.requested", "approval.completed"],
            "secret": signature.generate_secret(),
            "name": "n8n: Procurement approval / Odoo Governance Trigger",
            "idempotency_key": "n8n-subscription:0123456789abcdef",
        }, **overrides)
        return params, (self.api if api is None else api).register_subscription(params)

    def test_register_check_and_remove_as_the_trigger_does(self):
        company = self.env.company
        params, result = self.register(filters={"company_ids": [company.id], "document_models": ["purchase.order"]})
        subscription = self.env["governance.subscription"].browse(result["subscription_id"])
        self.assertEqual(set(result), {"subscription_id"})
        self.assertEqual((subscription.url, subscription.origin, subscription.registered_by_id),
                         (params["url"], "api", self.integration))
        self.assertEqual(subscription.secret, params["secret"])
        self.assertEqual(subscription.event_types, "approval.requested,approval.completed")
        self.assertEqual((subscription.company_ids, subscription.document_models), (company, "purchase.order"))

        exists = self.api.subscription_exists({"subscription_id": subscription.id, "url": params["url"]})
        self.assertEqual(exists, {"exists": True, "active": True})
        self.assertEqual(self.api.subscription_exists({"subscription_id": subscription.id, "url": "http://elsewhere/"}),
                         {"exists": False, "active": False})
        subscription.active = False
        self.assertEqual(self.api.subscription_exists({"subscription_id": subscription.id}), {"exists": True, "active": False})
        subscription.active = True

        delivery = self.Delivery.create({"event_id": self.ping(subscription).id, "subscription_id": subscription.id,
                                         "subject": "x/1"})
        self.assertEqual(self.api.remove_subscription({"subscription_id": subscription.id}), {"removed": True})
        self.assertEqual(self.api.subscription_exists({"subscription_id": subscription.id}), {"exists": False, "active": False})
        self.assertEqual(self.api.remove_subscription({"subscription_id": subscription.id}), {"removed": False})
        self.assertEqual(self.api.remove_subscription({"subscription_id": 999999}), {"removed": False})
        self.assertEqual(delivery.state, "cancelled")
        self.assertTrue(subscription.with_context(active_test=False).removed_at, "the delivery log is kept")

    def test_register_is_idempotent_by_key(self):
        params, first = self.register()
        self.assertEqual(self.api.register_subscription(params), first)
        _params, other = self.register(idempotency_key="n8n-subscription:fedcba9876543210",
                                       secret=signature.generate_secret())
        self.assertNotEqual(other["subscription_id"], first["subscription_id"])

    def test_without_filters_a_subscription_gets_the_callers_companies(self):
        _params, result = self.register()
        subscription = self.env["governance.subscription"].browse(result["subscription_id"])
        self.assertEqual(subscription.company_ids, self.integration.company_ids)

    def test_invalid_registrations_are_refused_with_the_field(self):
        with self.assertRaisesRegex(ValidationError, r"secret.*\[dg:invalid_params\]"):
            self.register(secret="not-a-secret")
        with self.assertRaisesRegex(ValidationError, r"secret.*\[dg:invalid_params\]"):
            self.register(secret="whsec_c2hvcnQ=")
        with self.assertRaisesRegex(ValidationError, r"event_types\[1\].*\[dg:invalid_params\]"):
            self.register(event_types=["approval.requested", "approval.maybe"])
        with self.assertRaisesRegex(ValidationError, r"url.*\[dg:invalid_params\]"):
            self.register(url="ftp://example.com/x")
        with self.assertRaisesRegex(ValidationError, r"filters.document_models"):
            self.register(filters={"document_models": ["no.such.model"]})
        with self.assertRaisesRegex(ValidationError, r"filters.company_ids"):
            self.register(filters={"company_ids": [self.env["res.company"].create({"name": "Not mine"}).id]})

    def test_only_the_integration_group_calls_the_subscription_methods(self):
        for user in (self.manager, self.buyer):
            api = self.env["governance.api"].with_user(user)
            with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
                self.register(api=api)
            with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
                api.subscription_exists({"subscription_id": 1})
            with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
                api.remove_subscription({"subscription_id": 1})
            with self.assertRaisesRegex(AccessError, r"\[dg:forbidden\]"):
                api.list_event_types({})

    def test_an_integration_user_sees_only_its_own_subscriptions(self):
        _params, result = self.register()
        other = self.env["governance.api"].with_user(self.other_integration)
        self.assertEqual(other.subscription_exists({"subscription_id": result["subscription_id"]}),
                         {"exists": False, "active": False})
        self.assertEqual(other.remove_subscription({"subscription_id": result["subscription_id"]}), {"removed": False})
        self.assertTrue(self.env["governance.subscription"].browse(result["subscription_id"]).active)

    def test_list_event_types_is_the_contract_catalogue(self):
        types = self.api.list_event_types({})["event_types"]
        self.assertEqual([entry["type"] for entry in types], [entry["type"] for entry in api_params.EVENT_TYPES])
        self.assertIn("governance.ping", [entry["type"] for entry in types])

    def test_registration_and_removal_are_audited(self):
        _params, result = self.register()
        self.api.remove_subscription({"subscription_id": result["subscription_id"]})
        entries = self.env["governance.audit.log"].search([
            ("res_model", "=", "governance.subscription"), ("res_id", "=", result["subscription_id"])])
        self.assertEqual(entries.mapped("event"), ["subscription_change"] * 2)


@tagged("post_install", "-at_install")
class TestSubscriptionDestinations(OutboxCase):
    """register_subscription bounds its strings and refuses destinations deliveries must not reach."""

    def register(self, **overrides):
        return self.api.register_subscription(dict({
            "url": "https://hooks.example.com/odoo", "event_types": ["governance.ping"],
            "secret": signature.generate_secret(), "idempotency_key": "destination-0001"}, **overrides))

    def counts(self):
        Subscription = self.env["governance.subscription"].with_context(active_test=False)
        return Subscription.search_count([]), self.env["governance.audit.log"].search_count([])

    def test_oversized_params_are_refused_before_anything_is_written(self):
        before = self.counts()
        for field, value in [("name", "n" * 10240), ("url", "https://hooks.example.com/" + "p" * 2048),
                             ("secret", "whsec_" + "A" * 300), ("event_types", ["governance.ping"] * 60)]:
            with self.subTest(field=field), self.assertRaisesRegex(ValidationError, rf"{field}: must.*\[dg:invalid_params\]"):
                self.register(**{field: value})
        self.assertEqual(self.counts(), before)

    def test_link_local_and_metadata_destinations_are_refused_always(self):
        self.env["ir.config_parameter"].set_param("distribution_governance.allow_private_urls", "True")
        before = self.counts()
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:5678/x",
                    "http://metadata.google.internal/computeMetadata/v1/", "http://[::ffff:169.254.169.254]/"):
            with self.subTest(url=url), self.assertRaisesRegex(ValidationError, r"url: .*metadata.*\[dg:invalid_params\]"):
                self.register(url=url)
        with self.assertRaisesRegex(ValidationError, "link-local"), self.env.cr.savepoint():
            self.make_subscription(url="http://169.254.169.254/")
        self.assertEqual(self.counts(), before)

    def test_private_networks_need_the_admin_setting(self):
        with self.assertRaisesRegex(ValidationError, r"url: 10.0.0.5 is a private-network address.*allow_private_urls"):
            self.register(url="http://10.0.0.5:5678/webhook")
        with self.assertRaisesRegex(ValidationError, "private-network"), self.env.cr.savepoint():
            self.make_subscription(url="http://192.168.1.20/")
        self.env["ir.config_parameter"].set_param("distribution_governance.allow_private_urls", "True")
        self.assertTrue(self.register(url="http://10.0.0.5:5678/webhook")["subscription_id"])
        self.env["ir.config_parameter"].set_param("distribution_governance.allow_loopback_urls", "False")
        with self.assertRaisesRegex(ValidationError, "loopback"):
            self.register(url="http://127.0.0.1:5678/webhook", idempotency_key="destination-0002")

    def test_destination_is_checked_again_before_each_attempt(self):
        subscription = self.make_subscription()
        delivery = self.ping(subscription).delivery_ids
        # What the URL reaches changed since it was registered (a setting here; DNS in the wild).
        self.env["ir.config_parameter"].set_param("distribution_governance.allow_loopback_urls", "False")
        self.dispatch()
        self.assertEqual(self.receiver.requests, [])
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("not sent: the target URL 127.0.0.1 is a loopback address", delivery.last_error)
