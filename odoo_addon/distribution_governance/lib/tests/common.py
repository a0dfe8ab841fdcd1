"""Where the shared contract lives, seen from the addon inside the repository."""

import json
import os

CONTRACT_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "contract"))
HAS_CONTRACT = os.path.isdir(CONTRACT_DIR)
NO_CONTRACT_REASON = "the repository's contract/ folder is not beside this addon (installed on its own)"


def load_contract(*parts):
    with open(os.path.join(CONTRACT_DIR, *parts), encoding="utf-8") as handle:
        return json.load(handle)


def policy_vector_files():
    folder = os.path.join(CONTRACT_DIR, "vectors", "policy")
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".json"))
