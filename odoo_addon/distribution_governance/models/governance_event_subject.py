from odoo import api, fields, models


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

    @api.model
    def _document_names(self, subjects):
        """{subject: display name of its document} for ``<model>/<id>`` subjects, in one read per model.

        The outbox shows people the document, not its technical subject; a document deleted since
        (or of a model no longer installed) keeps its subject.
        """
        by_model = {}
        for subject in set(subjects):
            model, _slash, record_id = (subject or "").rpartition("/")
            if model in self.env and record_id.isdigit():
                by_model.setdefault(model, []).append(int(record_id))
        names = {}
        for model, ids in by_model.items():
            for record in self.env[model].sudo().browse(ids).exists():
                names[f"{model}/{record.id}"] = record.display_name
        return {subject: names.get(subject) or subject for subject in subjects}
