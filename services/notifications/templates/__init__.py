"""Message templates (Chinese, Jinja2), one per notification kind: first line title, then body.

Rendering is strict: a variable missing from a reaction is an error, never a blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.notifications.domain.kinds import KINDS

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    undefined=StrictUndefined,
    autoescape=False,  # noqa: S701 - plain text for SMS, WeChat, e-mail and the inbox
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def render(kind: str, variables: dict[str, str]) -> Message:
    if kind not in KINDS:
        raise KeyError(f"no template for kind {kind!r}")
    text = _ENV.get_template(f"{kind}.txt.j2").render(**variables).strip()
    title, _, body = text.partition("\n")
    return Message(title.strip(), body.strip())
