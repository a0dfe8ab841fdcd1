from odoo import fields, models


class GovernanceEventSubject(models.Model):
    """The last event sequence number of each document the outbox has written about.

    Taking the next number writes this row, so two transactions emitting about the same document
    are serialised on it: the second waits for the first to commit, then (under Odoo's REPEATABLE
    READ) fails to serialise and is retried by Odoo, and so always gets the next number.
    """

    _name = "governance.event.subject"
    _description = "Outbox Sequence of a Document"
    _log_access = False

    subject = fields.Char(required=True, readonly=True, help="<model>/<id> of the document.")
    last_sequence = fields.Integer(required=True, readonly=True)

    _sql_constraints = [
        ("subject_unique", "UNIQUE(subject)", "A document has one outbox sequence."),
    ]

    def _next_sequence(self, subject):
        """The next sequence number of ``subject``'s events (1 for its first)."""
        self.env.cr.execute(
            """
            INSERT INTO governance_event_subject (subject, last_sequence)
                 VALUES (%(subject)s, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM governance_event
                                        WHERE subject = %(subject)s))
            ON CONFLICT (subject) DO UPDATE SET last_sequence = governance_event_subject.last_sequence + 1
              RETURNING last_sequence
            """,
            {"subject": subject},
        )
        return self.env.cr.fetchone()[0]
