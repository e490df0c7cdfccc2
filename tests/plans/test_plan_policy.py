"""Plans' permission rules, as app/auth/policy.py states them (the routes are in the matrix)."""

from dataclasses import dataclass, field

import pytest

from app.auth import policy
from app.auth.policy import Grant, Permission, Principal, Role
from app.core.errors import Forbidden, NotFound


@dataclass
class Net:
    id: int | None
    lineage_ids: list[int] = field(default_factory=list)


NETWORK = Net(7)


def person(role: Role | None) -> Principal:
    grants = [Grant(network_id=7, role=role)] if role else []
    return Principal(kind="user", id=1, grants=grants)


@pytest.mark.parametrize(
    ("kind", "changed", "needed"),
    [
        ("action", {"status"}, Permission.progress_record),
        ("action", {"status", "status_note"}, Permission.progress_record),
        ("action", {"status", "title"}, Permission.plan_write),
        ("milestone", {"status", "achieved_on"}, Permission.progress_record),
        ("milestone", {"due"}, Permission.plan_write),
        ("measure", {"status"}, Permission.plan_write),  # no progress fields: plan_write
    ],
)
def test_editing_only_progress_fields_is_recording_progress(
    kind: str, changed: set[str], needed: Permission
) -> None:
    assert policy.plan_edit_permission(kind, changed) is needed


def test_who_may_do_what_on_a_plan() -> None:
    facilitator, executive, member = (
        person(r) for r in (Role.facilitator, Role.executive, Role.member)
    )
    policy.authorize_progress_record(facilitator, NETWORK)
    policy.authorize_plan_edit(facilitator, NETWORK, "milestone", {"status"})
    with pytest.raises(Forbidden):
        policy.authorize_plan_edit(facilitator, NETWORK, "milestone", {"title"})
    with pytest.raises(Forbidden):
        policy.authorize_plan_write(facilitator, NETWORK)
    policy.authorize_plan_write(executive, NETWORK)
    policy.authorize_plan_read(member, NETWORK)
    with pytest.raises(Forbidden):
        policy.authorize_progress_record(member, NETWORK)
    with pytest.raises(NotFound):
        policy.authorize_plan_read(person(None), NETWORK)
