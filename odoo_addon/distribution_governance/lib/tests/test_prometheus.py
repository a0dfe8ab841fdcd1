import unittest

from .. import prometheus


class TestPrometheus(unittest.TestCase):
    def test_families_render_help_type_and_escaped_labels(self):
        waiting = prometheus.Family("dg_outbox_waiting", "gauge", "Deliveries waiting.")
        waiting.add(3, subscription="7", name='n8n: "A"\\B\nC')
        summary = prometheus.Family("dg_cycle_hours", "summary", "Cycle.")
        summary.add(1.5, quantile="0.5").add(12.0, "_sum").add(4, "_count")
        text = prometheus.render([waiting, summary])
        self.assertEqual(text, (
            "# HELP dg_outbox_waiting Deliveries waiting.\n"
            "# TYPE dg_outbox_waiting gauge\n"
            'dg_outbox_waiting{name="n8n: \\"A\\"\\\\B\\nC",subscription="7"} 3\n'
            "# HELP dg_cycle_hours Cycle.\n"
            "# TYPE dg_cycle_hours summary\n"
            'dg_cycle_hours{quantile="0.5"} 1.5\n'
            "dg_cycle_hours_sum 12.0\n"
            "dg_cycle_hours_count 4\n"))

    def test_values(self):
        self.assertEqual(prometheus.format_value(None), "NaN")
        self.assertEqual(prometheus.format_value(float("inf")), "+Inf")
        self.assertEqual(prometheus.format_value(True), "1")
        self.assertEqual(prometheus.format_value(0.25), "0.25")
