"""Filter groups that lists share, as models of query parameters
(``Annotated[NameSearch, Query()]``; services take them as plain data)."""

from pydantic import BaseModel, Field

from app.core.schemas import LINE_PATTERN


class WithEnded(BaseModel):
    """A list of spans (roles, memberships) that leaves out the ended ones unless asked; a
    list says in its own words what ended means (a subclass's ``description``)."""

    include_ended: bool = Field(default=False, description="Include ended ones (history).")


class NameSearch(BaseModel):
    """A list's text search (query parameter ``q``)."""

    q: str | None = Field(
        default=None, max_length=200, pattern=LINE_PATTERN, description="Text in the name."
    )
