"""Every action the services write to the audit trail has a label in plain words, and
every field they record has a name: the trail never shows a raw key."""

import ast
from pathlib import Path

import ratings
from ratings.cycle_selectors import ACTION_LABELS, FIELD_LABELS

RATINGS = Path(ratings.__file__).parent


def audit_calls():
    """(action, before/after keys) of every ``_audit(...)`` call in ratings/."""
    for path in sorted(RATINGS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name != "_audit":
                continue
            action = node.args[2].value if isinstance(node.args[2], ast.Constant) else None
            keys = set()
            for keyword in node.keywords:
                for value in ast.walk(keyword.value):
                    if isinstance(value, ast.Dict):
                        keys |= {k.value for k in value.keys if isinstance(k, ast.Constant)}
            yield path.name, action, keys


def test_the_services_audit_some_actions():
    assert len({action for _path, action, _keys in audit_calls()}) >= 15


def test_every_audited_action_and_field_has_a_label():
    unlabelled = [
        (path, action) for path, action, _keys in audit_calls() if action is not None and action not in ACTION_LABELS
    ]
    unnamed = [(path, key) for path, _action, keys in audit_calls() for key in keys if key not in FIELD_LABELS]
    assert (unlabelled, unnamed) == ([], [])
