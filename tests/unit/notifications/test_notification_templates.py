"""Every kind has a Chinese template that renders from its declared variables, and only those."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from services.notifications.domain.kinds import KINDS
from services.notifications.templates import render


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_template_renders_with_exactly_its_declared_variables(kind: str) -> None:
    variables = {name: f"<{name}>" for name in KINDS[kind].variables}
    message = render(kind, variables)
    assert message.title
    assert message.body
    for name in KINDS[kind].variables:
        assert f"<{name}>" in message.title + message.body, f"{kind} never uses {name}"


@pytest.mark.parametrize("kind", sorted(k for k in KINDS if KINDS[k].variables))
def test_a_missing_variable_is_an_error_not_a_blank(kind: str) -> None:
    variables = {name: "x" for name in KINDS[kind].variables[1:]}
    with pytest.raises(UndefinedError):
        render(kind, variables)


def test_a_kind_without_a_template_is_refused() -> None:
    with pytest.raises(KeyError):
        render("no_such_kind", {})
