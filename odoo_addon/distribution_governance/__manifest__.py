{
    "name": "Distribution Governance",
    "summary": "Governed approvals, exceptions, supplier confirmations, tamper-evident audit and a signed event outbox for distributors",
    "version": "18.0.0.1.0",
    "category": "Inventory/Purchase",
    "author": "Distribution Governance contributors",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [],
    "installable": True,
    "application": True,
}
