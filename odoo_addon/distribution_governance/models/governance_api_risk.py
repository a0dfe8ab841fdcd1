from collections import defaultdict

from odoo import api, fields, models

READERS = [
    "distribution_governance.group_integration",
    "distribution_governance.group_manager",
    "distribution_governance.group_auditor",
]
# Orders that can still hurt a customer commitment: not yet (fully) received.
OPEN_STATES = ("draft", "sent", "to approve", "purchase")
DEMAND_LINES_SHOWN = 20


def _date(value):
    return fields.Date.to_string(value.date() if hasattr(value, "date") else value) if value else ""


def _product(product):
    return {"id": product.id, "code": product.default_code or "", "name": product.name or ""}


class GovernanceApi(models.AbstractModel):
    """The read API behind scenario S2: what makes an open purchase order risky, computed in Odoo.

    Read-only and batched: one page of orders costs a fixed number of queries whatever its size
    (orders, lines, forecasts, reordering minimums, supplier receipts, sales lines).
    """

    _inherit = "governance.api"

    @api.model
    def purchase_risk_inputs(self, payload=None):
        params = self._params("purchase_risk_inputs", payload, READERS)
        categories = self._risk_categories(params.get("category_ids") or [])
        order_ids = self._open_order_ids(categories, params["limit"] + 1, params["offset"], params["after_id"])
        has_more = len(order_ids) > params["limit"]
        orders = self.env["purchase.order"].sudo().browse(order_ids[: params["limit"]])
        lines = orders.order_line.filtered(
            lambda line: not line.display_type and line.product_id
            and line.product_qty > line.qty_received
            and (categories is None or line.product_id.categ_id.id in categories))
        products = lines.product_id
        shortage = self._stock_shortage(products)
        delay = self._supplier_delay_signals(orders, params["delay_days"])
        demand = self._demand_at_risk(lines)
        return {
            "orders": [self._order_risk(order, lines, shortage, delay, demand) for order in orders],
            "has_more": has_more,
            "next_offset": params["offset"] + len(orders) if has_more else 0,
            "next_after_id": orders[-1:].id if has_more else 0,
        }

    def _risk_categories(self, category_ids):
        """The chosen categories with their subcategories (a set), or None for every category."""
        if not category_ids:
            return None
        Category = self.env["product.category"].sudo()
        return set(Category.search([("id", "child_of", category_ids)]).ids)

    def _open_order_ids(self, categories, limit, offset, after_id=0):
        # Keyset paging (after_id): the orders are walked along their primary key from after_id and
        # the walk stops after `limit` matches, so a deep page costs what the first one does.
        query = """
            SELECT po.id
              FROM purchase_order po
             WHERE po.state IN %s
               AND po.company_id IN %s
               AND po.id > %s
               AND EXISTS (
                   SELECT 1
                     FROM purchase_order_line line
                     JOIN product_product product ON product.id = line.product_id
                     JOIN product_template template ON template.id = product.product_tmpl_id
                    WHERE line.order_id = po.id
                      AND line.display_type IS NULL
                      AND line.product_qty > line.qty_received
                      {category})
          ORDER BY po.id
             LIMIT %s OFFSET %s
        """
        args = [OPEN_STATES, tuple(self.env.user.company_ids.ids), after_id]
        category = ""
        if categories is not None:
            category = "AND template.categ_id IN %s"
            args.append(tuple(categories) or (0,))
        self.env["purchase.order"].flush_model()
        self.env["purchase.order.line"].flush_model()
        self.env.cr.execute(query.format(category=category), args + [limit, offset])
        return [row[0] for row in self.env.cr.fetchall()]

    def _stock_shortage(self, products):
        """Per product: forecast, reordering minimum and shortage, when the forecast is below the
        minimum or negative."""
        if not products:
            return {}
        Orderpoint = self.env["stock.warehouse.orderpoint"].sudo()
        minimums = defaultdict(float)
        for group in Orderpoint._read_group(
                [("product_id", "in", products.ids), ("company_id", "in", self.env.user.company_ids.ids)],
                ["product_id"], ["product_min_qty:sum"]):
            minimums[group[0].id] = group[1]
        forecasts = {product.id: product.virtual_available
                     for product in products.sudo().with_context(allowed_company_ids=self.env.user.company_ids.ids)}
        shortage = {}
        for product in products:
            forecast, minimum = forecasts[product.id], minimums[product.id]
            if forecast < minimum or forecast < 0:
                shortage[product.id] = {
                    "product": _product(product),
                    "forecast_qty": forecast,
                    "min_qty": minimum,
                    "shortage_qty": max(minimum, 0.0) - forecast,
                }
        return shortage

    def _supplier_delay_signals(self, orders, delay_days):
        """Per order: how late its supplier has been. Late receipts against their planned date
        (over ``delay_days``), and this order's receipts already past their planned date.

        Hook: supplier-confirmation tracking adds its own signals (overdue or changed
        confirmations) by extending this method and the dicts it returns.
        """
        result = {order.id: {"source": "late_receipts", "late_receipts": 0, "max_days_late": 0,
                             "overdue_receipts": 0} for order in orders}
        if not orders:
            return result
        suppliers = orders.partner_id.commercial_partner_id
        for model in ("stock.picking", "stock.move"):
            self.env[model].flush_model()
        self.env.cr.execute("""
            SELECT partner.commercial_partner_id, COUNT(*),
                   MAX(picking.date_done::date - picking.scheduled_date::date)
              FROM stock_picking picking
              JOIN stock_picking_type kind ON kind.id = picking.picking_type_id
              JOIN res_partner partner ON partner.id = picking.partner_id
             WHERE kind.code = 'incoming' AND picking.state = 'done'
               AND picking.date_done::date > picking.scheduled_date::date
               AND picking.date_done >= NOW() AT TIME ZONE 'UTC' - make_interval(days => %s)
               AND partner.commercial_partner_id IN %s
          GROUP BY partner.commercial_partner_id
        """, [delay_days, tuple(suppliers.ids)])
        late = {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}
        self.env.cr.execute("""
            SELECT line.order_id, COUNT(DISTINCT picking.id),
                   MAX((NOW() AT TIME ZONE 'UTC')::date - picking.scheduled_date::date)
              FROM stock_picking picking
              JOIN stock_picking_type kind ON kind.id = picking.picking_type_id
              JOIN stock_move move ON move.picking_id = picking.id
              JOIN purchase_order_line line ON line.id = move.purchase_line_id
             WHERE kind.code = 'incoming' AND picking.state NOT IN ('done', 'cancel')
               AND picking.scheduled_date < NOW() AT TIME ZONE 'UTC'
               AND line.order_id IN %s
          GROUP BY line.order_id
        """, [tuple(orders.ids)])
        overdue = {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}
        for order in orders:
            count, days = late.get(order.partner_id.commercial_partner_id.id, (0, 0))
            open_count, open_days = overdue.get(order.id, (0, 0))
            result[order.id].update({"late_receipts": count, "overdue_receipts": open_count,
                                     "max_days_late": max(days or 0, open_days or 0)})
        return result

    def _demand_at_risk(self, lines):
        """Per purchase line: open sales lines of its product promised before it arrives."""
        if not lines:
            return {}
        SaleLine = self.env["sale.order.line"].sudo()
        sale_lines = SaleLine.search([
            ("product_id", "in", lines.product_id.ids),
            ("state", "=", "sale"),
            ("order_id.commitment_date", "!=", False),
            ("company_id", "in", self.env.user.company_ids.ids),
        ], order="id")
        by_product = defaultdict(list)
        for sale_line in sale_lines:
            if sale_line.qty_delivered < sale_line.product_uom_qty:
                by_product[sale_line.product_id.id].append(sale_line)
        return {line.id: [sale_line for sale_line in by_product[line.product_id.id]
                          if line.date_planned and sale_line.order_id.commitment_date < line.date_planned]
                for line in lines}

    def _sale_amount(self, sale_line, company):
        amount = sale_line.price_reduce_taxexcl * (sale_line.product_uom_qty - sale_line.qty_delivered)
        order = sale_line.order_id
        if order.currency_id != company.currency_id:
            amount = order.currency_id._convert(amount, company.currency_id, company, order.date_order)
        return company.currency_id.round(amount)

    def _order_risk(self, order, lines, shortage, delay, demand):
        own = lines.filtered(lambda line: line.order_id == order)
        company = order.company_id
        at_risk = {}
        for line in own:
            for sale_line in demand.get(line.id, []):
                at_risk.setdefault(sale_line.id, sale_line)
        sale_lines = sorted(at_risk.values(), key=lambda sale_line: (sale_line.order_id.commitment_date, sale_line.id))
        amounts = {sale_line.id: self._sale_amount(sale_line, company) for sale_line in sale_lines}
        return {
            "order": {
                "id": order.id,
                "name": order.name,
                "supplier": {"id": order.partner_id.id, "name": order.partner_id.display_name or ""},
                "buyer": {"login": order.user_id.login or "", "name": order.user_id.name or ""},
                "amount_total": order.amount_total,
                "currency": order.currency_id.name,
                "date_order": _date(order.date_order),
                "date_planned": _date(order.date_planned),
                "state": order.state,
            },
            "document": {"model": "purchase.order", "id": order.id, "name": order.name},
            "lines": [{
                "product": _product(line.product_id),
                "category": line.product_id.categ_id.complete_name or "",
                "qty_ordered": line.product_qty,
                "qty_received": line.qty_received,
                "qty_open": line.product_qty - line.qty_received,
                "date_planned": _date(line.date_planned),
            } for line in own],
            "delay": delay[order.id],
            "shortage": [shortage[product.id] for product in own.product_id if product.id in shortage],
            "demand_at_risk": {
                "amount": company.currency_id.round(sum(amounts.values())),
                "currency": company.currency_id.name,
                "lines_total": len(sale_lines),
                "lines": [{
                    "sale_order": sale_line.order_id.name,
                    "customer": {"id": sale_line.order_id.partner_id.commercial_partner_id.id,
                                 "name": sale_line.order_id.partner_id.commercial_partner_id.display_name or ""},
                    "salesperson": sale_line.order_id.user_id.name or "",
                    "product": _product(sale_line.product_id),
                    "qty": sale_line.product_uom_qty - sale_line.qty_delivered,
                    "amount": amounts[sale_line.id],
                    "commitment_date": _date(sale_line.order_id.commitment_date),
                } for sale_line in sale_lines[:DEMAND_LINES_SHOWN]],
            },
        }
