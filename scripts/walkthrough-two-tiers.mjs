#!/usr/bin/env node
// Walks one purchase order through a two-level approval over Odoo's external API (XML-RPC), each
// step as a different person, and prints what Odoo answered. It needs a running Odoo with the addon
// installed and an administrator login; it creates its own users, vendor, product and policy (named
// "Walkthrough …", re-used on later runs), and activates that policy for the company.
//   node scripts/walkthrough-two-tiers.mjs http://127.0.0.1:8069 <db> [admin login] [admin password]
import odooSession from './odoo-session.cjs';

const [url, db, adminLogin = 'admin', adminPassword = 'admin'] = process.argv.slice(2);
if (!url || !db) {
	console.error('usage: walkthrough-two-tiers.mjs <odoo url> <database> [admin login] [admin password]');
	process.exit(2);
}

const session = (login, password) => odooSession.session(url, db, login, password);

const admin = await session(adminLogin, adminPassword);
const ref = (name) => odooSession.xmlId(admin, name);
const groups = {
	user: await ref('base.group_user'),
	purchase: await ref('purchase.group_purchase_user'),
	requester: await ref('distribution_governance.group_requester'),
	approver: await ref('distribution_governance.group_approver'),
};
const password = 'walkthrough-pass-1234';
async function person(login, roles) {
	const [existing] = await admin('res.users', 'search', [[['login', '=', login]]]);
	const values = { groups_id: [[6, 0, roles.map((role) => groups[role])]], password };
	if (existing) await admin('res.users', 'write', [[existing], values]);
	else await admin('res.users', 'create', [{ name: `Walkthrough ${login}`, login, email: `${login}@walkthrough.example`, ...values }]);
	return session(login, password);
}
const buyer = await person('wt-buyer', ['user', 'purchase', 'requester']);
const alice = await person('wt-alice', ['user', 'purchase', 'approver']);
const fay = await person('wt-fay', ['user', 'purchase', 'approver']);

async function findOrCreate(model, domain, values) {
	const [id] = await admin(model, 'search', [domain]);
	return id ?? admin(model, 'create', [values]);
}
const vendor = await findOrCreate('res.partner', [['name', '=', 'Walkthrough Vendor']], {
	name: 'Walkthrough Vendor',
	governance_vendor_risk: 'low',
});
const product = await findOrCreate('product.product', [['name', '=', 'Walkthrough Bearing']], {
	name: 'Walkthrough Bearing',
	seller_ids: [[0, 0, { partner_id: vendor, price: 10 }]],
});
const tier = (code, level, name, login, sequence) => [0, 0, {
	code, sequence, document_type: 'purchase.order', action: 'require_tier', reason: `${name} approval`,
	tier_name: name, tier_level: level, min_approvals: 1, sla_hours: 24,
	approver_user_ids: [[6, 0, [login]]],
	condition_ids: [[0, 0, { fact: 'amount', op: 'gte', value: level === 1 ? '1000' : '10000' }]],
}];
const [aliceId] = await admin('res.users', 'search', [[['login', '=', 'wt-alice']]]);
const [fayId] = await admin('res.users', 'search', [[['login', '=', 'wt-fay']]]);
const policy = await findOrCreate('governance.policy', [['name', '=', 'Walkthrough policy']], {
	name: 'Walkthrough policy',
	rule_ids: [tier('wt-purchasing', 1, 'Purchasing', aliceId, 10), tier('wt-finance', 2, 'Finance', fayId, 20)],
});
await admin('governance.policy', 'action_activate', [[policy]]);

const show = async (label, orderId) => {
	const [order] = await admin('purchase.order', 'read', [[orderId]], { fields: ['name', 'state', 'governance_state', 'governance_summary'] });
	console.log(`\n# ${label}\n${order.name}: state=${order.state}, governance=${order.governance_state}\n${order.governance_summary || ''}`);
};
const orderId = await buyer('purchase.order', 'create', [{
	partner_id: vendor,
	order_line: [[0, 0, { product_id: product, product_qty: 1, price_unit: 12500 }]],
}]);
await buyer('purchase.order', 'button_confirm', [[orderId]]);
await show('wt-buyer confirmed a 12,500 order', orderId);

for (const [label, call] of [
	['wt-buyer tries to approve it himself', () => buyer('purchase.order', 'action_governance_approve', [[orderId]])],
	['wt-fay (level 2) tries before level 1 is done', () => fay('purchase.order', 'action_governance_approve', [[orderId]])],
]) {
	try {
		await call();
		console.log(`\n# ${label}: accepted (unexpected)`);
	} catch (error) {
		console.log(`\n# ${label}: refused: ${error.message}`);
	}
}
const pending = await alice('governance.api', 'list_pending_reviews', [{}]);
const review = pending.reviews.find((item) => item.document.id === orderId);
const first = await alice('governance.api', 'decide', [{ review_id: review.review_id, actor: 'wt-alice', outcome: 'approve', idempotency_key: `wt-${orderId}-purchasing` }]);
console.log(`\n# wt-alice approves level 1 through governance.api.decide\n${JSON.stringify(first)}`);
await show('after level 1', orderId);
await fay('purchase.order', 'action_governance_approve', [[orderId]]);
await show('wt-fay approved level 2', orderId);
const trail = await admin('governance.audit.log', 'search_read', [[['res_model', '=', 'purchase.order'], ['res_id', '=', orderId]]], { fields: ['event', 'summary'], order: 'id' });
console.log('\n# audit trail');
for (const entry of trail) console.log(`${entry.event}: ${entry.summary}`);
