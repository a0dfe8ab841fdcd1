"""Prometheus text exposition format (version 0.0.4), written by hand: families of samples with
HELP and TYPE lines, label values escaped. Pure Python, no Odoo import."""

import math

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def escape_label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def format_value(value):
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


class Family:
    """One metric family: name, type (gauge, counter, summary), help and its samples."""

    def __init__(self, name, kind, help_text):
        self.name, self.kind, self.help = name, kind, help_text
        self.samples = []

    def add(self, value, suffix="", **labels):
        self.samples.append((self.name + suffix, labels, value))
        return self

    def render(self):
        lines = [f"# HELP {self.name} {self.help.replace(chr(92), chr(92) * 2).replace(chr(10), ' ')}",
                 f"# TYPE {self.name} {self.kind}"]
        for name, labels, value in self.samples:
            text = ",".join(f'{key}="{escape_label(val)}"' for key, val in sorted(labels.items()))
            lines.append(f"{name}{{{text}}} {format_value(value)}" if text else f"{name} {format_value(value)}")
        return "\n".join(lines)


def render(families):
    return "\n".join(family.render() for family in families) + "\n"
