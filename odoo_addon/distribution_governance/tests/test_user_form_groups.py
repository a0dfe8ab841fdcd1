from lxml import etree

from odoo.tests import TransactionCase, tagged

from .common import APPROVER, AUDITOR, INTEGRATION, MANAGER, REQUESTER


@tagged("post_install", "-at_install")
class TestUserFormGroups(TransactionCase):
    """An administrator without developer mode sees and sets the governance groups on the user form.

    Odoo shows a category's groups outside developer mode only as a selection, which it offers when
    the groups form one chain; checkboxes of a category that is not a chain are for developer mode.
    """

    def visible_fields(self):
        # No HTTP request here, so base.group_no_one (developer mode) is off, as for an admin
        # who never switched developer mode on.
        admin = self.env.ref("base.user_admin")
        # The form Settings › Users opens (not the simplified one of quick creation).
        form = self.env.ref("base.view_users_form").id
        arch = self.env["res.users"].with_user(admin).get_views([(form, "form")])["views"]["form"]["arch"]
        return {node.get("name"): node for node in etree.fromstring(arch).iter("field")
                if node.get("invisible") not in ("True", "1")}

    def selection_field(self, *xmlids):
        ids = sorted(self.env.ref(xmlid).id for xmlid in xmlids)
        return "sel_groups_" + "_".join(str(gid) for gid in ids)

    def test_requester_approver_manager_are_one_selection(self):
        field = self.selection_field(REQUESTER, APPROVER, MANAGER)
        self.assertIn(field, self.visible_fields())
        options = [label for value, label in self.env["res.users"].fields_get([field])[field]["selection"] if value]
        self.assertEqual(options, ["Requester", "Approver", "Governance Manager"])
        self.assertEqual(self.env["res.users"].fields_get([field])[field]["string"], "Approvals")

    def test_auditor_and_integration_are_visible_too(self):
        fields = self.visible_fields()
        self.assertIn(self.selection_field(AUDITOR), fields)
        self.assertIn(self.selection_field(INTEGRATION), fields)

    def test_choosing_manager_in_the_form_gives_the_whole_chain(self):
        field = self.selection_field(REQUESTER, APPROVER, MANAGER)
        user = self.env["res.users"].create({"name": "Chain", "login": "dg_chain_user", field: self.env.ref(MANAGER).id})
        self.assertTrue(user.has_group(REQUESTER) and user.has_group(APPROVER) and user.has_group(MANAGER))
        user.write({field: self.env.ref(REQUESTER).id})
        self.assertEqual((user.has_group(REQUESTER), user.has_group(APPROVER)), (True, False))
