#!/usr/bin/env node
// Screenshots of every Distribution Governance screen, as each role sees it, at 1400x900 and at a
// narrow (phone) width, with headless Chromium (issue 16). Seed a spare database first with
// scripts/screenshots-seed.py, start Odoo on it, then:
//   node scripts/screenshots-roles.mjs --url http://127.0.0.1:8069 --db <db> [--out /tmp/dg-screenshots]
// Files: <out>/<role>-<screen>-<width>.png; the script also prints screens whose page shows an
// Odoo error dialog, so a broken view is noticed without opening every file.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce(
      (pairs, value, index, all) =>
        index % 2
          ? pairs
          : [...pairs, [value.replace(/^--/, ""), all[index + 1]]],
      [],
    ),
);
const url = args.url ?? "http://127.0.0.1:8069";
const db = args.db;
const out = args.out ?? "/tmp/dg-screenshots";
const widths = [
  { name: "wide", width: 1400, height: 900 },
  { name: "narrow", width: 390, height: 844 },
];
const ROLES = ["buyer", "approver", "manager", "auditor"];
mkdirSync(out, { recursive: true });

async function rpc(page, model, method, args = [], kwargs = {}) {
  return await page.evaluate(
    async ({ model, method, args, kwargs }) => {
      const response = await fetch("/web/dataset/call_kw", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "call",
          params: { model, method, args, kwargs },
        }),
      });
      const body = await response.json();
      if (body.error)
        throw new Error(body.error.data?.message ?? body.error.message);
      return body.result;
    },
    { model, method, args, kwargs },
  );
}

/** Screens of one role: every Governance menu the role sees, plus forms and wizards. */
async function screens(page, role) {
  const root = await rpc(page, "ir.ui.menu", "search", [
    [
      ["name", "=", "Governance"],
      ["parent_id", "=", false],
    ],
  ]);
  const menus = await rpc(
    page,
    "ir.ui.menu",
    "search_read",
    [
      [
        ["id", "child_of", root],
        ["action", "!=", false],
      ],
    ],
    { fields: ["name", "action"] },
  );
  const list = menus.map((menu) => ({
    name: menu.name,
    path: `/odoo/action-${menu.action.split(",")[1]}`,
  }));
  // A role without access to a model simply has no such screen.
  const first = async (model, domain) =>
    (
      await rpc(page, model, "search", [domain], { limit: 1 }).catch(() => [])
    )[0];
  const pendingReview = await first("governance.approval.review", [
    ["state", "=", "pending"],
  ]);
  const passwordReview = await first("governance.approval.review", [
    ["state", "=", "pending"],
    ["confirm_with_password", "=", true],
  ]);
  const request = await first("governance.approval.request", [
    ["state", "=", "pending"],
  ]);
  const policy =
    role === "auditor" || role === "manager"
      ? await first("governance.policy", [])
      : undefined;
  const order = await first("purchase.order", [["state", "=", "to approve"]]);
  if (pendingReview)
    list.push({
      name: "Review form",
      path: `/odoo/governance.approval.review/${pendingReview}`,
    });
  if (passwordReview)
    list.push({
      name: "Password review form",
      path: `/odoo/governance.approval.review/${passwordReview}`,
    });
  if (passwordReview && role === "approver") {
    list.push({
      name: "Password prompt",
      path: `/odoo/governance.approval.review/${passwordReview}`,
      click: 'button[name="action_approve"]',
    });
  }
  if (request)
    list.push({
      name: "Request form",
      path: `/odoo/governance.approval.request/${request}`,
    });
  if (order)
    list.push({ name: "Order form", path: `/odoo/purchase.order/${order}` });
  if (policy) {
    list.push({
      name: "Policy form",
      path: `/odoo/governance.policy/${policy}`,
    });
    list.push({
      name: "Policy test",
      path: `/odoo/governance.policy/${policy}`,
      click: 'button[name="action_open_policy_test"]',
    });
  }
  if (pendingReview && role === "manager") {
    list.push({
      name: "Reassign",
      path: `/odoo/governance.approval.review/${pendingReview}`,
      click: 'button[name="action_open_reassign"]',
    });
  }
  if (role === "approver") {
    const mine = list.find((screen) => screen.name === "My Approvals");
    if (mine) {
      list.push({
        name: "My Approvals list",
        path: `${mine.path}?view_type=list`,
      });
      list.push({
        name: "My Approvals grouped",
        path: `${mine.path}?view_type=list`,
        group: "Document type",
      });
    }
  }
  return list;
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const problems = [];
let count = 0;
for (const role of ROLES) {
  for (const size of widths) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
    });
    const page = await context.newPage();
    await page.goto(`${url}/web/login?db=${encodeURIComponent(db)}`);
    await page.fill('input[name="login"]', role);
    await page.fill('input[name="password"]', `${role}-pass`);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/odoo/, {
      waitUntil: "domcontentloaded",
      timeout: 180000,
    });
    await page.waitForSelector(".o_main_navbar", { timeout: 180000 });
    for (const screen of await screens(page, role)) {
      try {
        await page.goto(url + screen.path, {
          waitUntil: "domcontentloaded",
          timeout: 120000,
        });
        await page
          .waitForSelector(
            ".o_action_manager .o_view_controller, .o_action_manager .o_form_view",
            { timeout: 20000 },
          )
          .catch(() => {});
        if (screen.click) {
          await page
            .click(screen.click, { timeout: 30000 })
            .catch(() =>
              problems.push(`${role} ${screen.name}: no ${screen.click}`),
            );
          await page
            .waitForSelector(".modal .o_form_view", { timeout: 10000 })
            .catch(() => {});
        }
        if (screen.group) {
          await page.click(".o_searchview_dropdown_toggler").catch(() => {});
          await page
            .getByText(screen.group, { exact: true })
            .first()
            .click({ timeout: 30000 })
            .catch(() =>
              problems.push(`${role} ${screen.name}: no group ${screen.group}`),
            );
          await page.keyboard.press("Escape");
        }
        await page.waitForTimeout(600);
        const error = await page
          .locator('.o_error_dialog, .o_dialog .modal-title:has-text("Error")')
          .count();
        if (error)
          problems.push(`${role} ${screen.name} (${size.name}): error dialog`);
        const file = join(
          out,
          `${role}-${screen.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${size.name}.png`,
        );
        await page.screenshot({ path: file });
        count++;
      } catch (error) {
        problems.push(
          `${role} ${screen.name} (${size.name}): ${error.message.split("\n")[0]}`,
        );
      }
    }
    await context.close();
  }
}
await browser.close();
console.log(`${count} screenshots in ${out}`);
for (const problem of problems) console.log(`problem: ${problem}`);
