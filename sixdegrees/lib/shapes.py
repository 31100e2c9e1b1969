"""Request shapes declared once: text fields whose validators, pages and OpenAPI schema agree.

A shape is a tuple of `TextField`s. The app's validator walks it (with the app's own messages,
in the caller's language), the page takes its labels and `maxlength`s from it, and `request_schema`
turns it into the pydantic model the API document shows, so none of the three can gain a field or
a limit the others lack. The validators stay hand-written because the messages are ours: pydantic's
are English-only and name its internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from django.utils.functional import Promise
from pydantic import BaseModel, Field, create_model


@dataclass(frozen=True)
class TextField:
    name: str
    max_length: int
    label: str | Promise = ""  # shown on the page and in its messages; lazy so it follows the language
    required: bool = True  # an optional field may also be blank
    multiline: bool = False
    email: bool = False


def request_schema(
    title: str,
    fields: tuple[TextField, ...],
    *,
    partial: bool = False,
    names: dict[str, str] | None = None,
    before: dict[str, Any] | None = None,
) -> type[BaseModel]:
    """A model describing `fields` for the API document.

    `partial`: every field may be left out (an edit sends only what changes); a required field
    that is sent must still be non-blank. `names`: the body calls some fields differently
    (field name → body name). `before`: more properties ahead of the fields, as
    `name=(type, default-or-Field)`, the `pydantic.create_model` form.
    """
    definitions: dict[str, Any] = dict(before or {})
    for field in fields:
        constraints: dict[str, Any] = {"max_length": field.max_length}
        if field.required:
            constraints["min_length"] = 1
        if field.email:
            constraints["json_schema_extra"] = {"format": "email"}
        text = Annotated[str, Field(**constraints)]
        name = (names or {}).get(field.name, field.name)
        definitions[name] = (text, ...) if field.required and not partial else (text | None, None)
    model: type[BaseModel] = create_model(title, __base__=BaseModel, **definitions)
    return model
