"""Field types of the JSON API's parameters and bodies, so the OpenAPI schema states the limits and a value
outside them is answered 422 (``{"errors": [...]}``, naming the field) before any query: text never holds a NUL
character (PostgreSQL refuses it: a 500 otherwise), has a maximum length, and years are within a calendar's
range. Semantic checks (is this a known department, a valid quarter) stay in the services."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

NO_NUL = r"^[^\x00]*$"

# A code or key: a plan, target, task, department, factor-set version, sector or carrier code.
Code = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
# A short text: a unit, a status, a notation, a filter.
Short = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
# A free text: a note or a source.
Text = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
# A decimal number as text (parsed strictly by the services) or a JSON number.
Number = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)] | Annotated[
    float, Field(allow_inf_nan=False)
]
Year = Annotated[int, Field(ge=1000, le=9999)]
