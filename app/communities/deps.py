"""Path-object loaders for communities, their members and meetings (FastAPI dependencies). The
loading is in ``app/communities/scope.py``, who may see and do what in ``app/auth/policy.py``."""

from functools import partial
from typing import Annotated, Any

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.communities.models import Community, CommunityMember, Meeting
from app.communities.scope import InCommunity, load_in_community
from app.core.resources import path_loader


def in_community(model: Any, label: str, *, deleted: bool = False) -> Any:
    """The path dependency ``{label}_id`` -> ``InCommunity[model]`` (404 unless visible)."""
    shown = f"deleted {label}" if deleted else label
    load = partial(_load, model=model, label=shown, deleted=deleted)
    param = label.replace(" ", "_") + "_id"
    return path_loader(load, label=label, caller=CurrentPrincipal, param=param)


async def _load(
    session: Any, principal: Any, obj_id: int, *, model: Any, label: str, deleted: bool
) -> InCommunity[Any]:
    return await load_in_community(session, principal, model, obj_id, label, deleted=deleted)


ReadableNetwork = NetworkForRead
ValidCommunity = Annotated[InCommunity[Community], in_community(Community, "community")]
DeletedCommunity = Annotated[
    InCommunity[Community], in_community(Community, "community", deleted=True)
]
ValidMember = Annotated[
    InCommunity[CommunityMember], in_community(CommunityMember, "community member")
]
ValidMeeting = Annotated[InCommunity[Meeting], in_community(Meeting, "meeting")]
DeletedMeeting = Annotated[InCommunity[Meeting], in_community(Meeting, "meeting", deleted=True)]
