"""Communities, their members, meetings and actions through the API."""

from contextlib import contextmanager

import httpx
from sqlalchemy import event

from app.auth.policy import Principal, Role
from tests.communities.helpers import Builder
from tests.conftest import World, appoint, make_user
from tests.plans.helpers import PlanBuilder


async def third_network_chair(build: Builder) -> dict[str, str]:
    """Headers of the chair of a third, unrelated network C."""
    world = build.world
    network = await build.post("/networks", {"name": "Tampere Network", "kind": "regional"})
    person = await make_user(world.app, "third.chair@test.example")
    admin = Principal(kind="user", id=world.admin.id, is_admin=True)
    await appoint(world.app, admin, network["id"], person.id, Role.chair)
    return person.headers


async def test_cross_network_community_is_visible_to_both_chairs_only(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    forum = await build.community(
        who="chair",
        kind="forum",
        title="Network Chair Forum",
        participating_network_ids=[world.network_b, world.network_a, world.network_b],
    )
    assert forum["network_id"] == world.network_a
    assert forum["participating_network_ids"] == [world.network_b]  # home and repeats dropped
    url = f"/api/v1/communities/{forum['id']}"
    third = await third_network_chair(build)
    for headers, expected in [
        (world.headers("chair"), 200),
        (world.headers("other_chair"), 200),
        (world.headers("member"), 200),
        (third, 404),
        (world.headers("outsider"), 404),
    ]:
        response = await client.get(url, headers=headers)
        assert response.status_code == expected, response.text
        members = await client.get(f"{url}/members", headers=headers)
        assert members.status_code == expected
    # B's chair sees it among B's communities, as one B takes part in, and may not change it.
    listed = await client.get(
        f"/api/v1/networks/{world.network_b}/communities", headers=world.headers("other_chair")
    )
    assert [c["id"] for c in listed.json()["items"]] == [forum["id"]]
    home_only = await client.get(
        f"/api/v1/networks/{world.network_b}/communities?scope=home",
        headers=world.headers("other_chair"),
    )
    assert home_only.json()["items"] == []
    refused = await client.patch(
        url, json={"title": "Renamed"}, headers={**world.headers("other_chair"), "If-Match": "*"}
    )
    assert refused.status_code == 403
    # The third chair cannot list B's or A's communities either.
    for network in (world.network_a, world.network_b):
        hidden = await client.get(f"/api/v1/networks/{network}/communities", headers=third)
        assert hidden.status_code == 404
    # Taking B out of the community takes B's chair out with it.
    await build.call(
        "PATCH", f"/communities/{forum['id']}", json={"participating_network_ids": []}, expect=200
    )
    gone = await client.get(url, headers=world.headers("other_chair"))
    assert gone.status_code == 404


async def test_a_community_of_a_child_network_is_visible_from_the_parent(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community(network_id=world.child_a, kind="sub_group")
    url = f"/api/v1/communities/{group['id']}"
    assert (await client.get(url, headers=world.headers("member"))).status_code == 200
    # A role on the parent reads the child's community but writes only at home.
    refused = await client.patch(
        url, json={"status": "active"}, headers={**world.headers("chair"), "If-Match": "*"}
    )
    assert refused.status_code == 403


async def test_ending_a_membership_keeps_it_in_history_and_out_of_the_current_list(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community(who="executive")
    school = await build.organisation("Tknika Innovation Centre", kind="vet_college")
    staying = await build.member(group["id"], who="executive", user_id=world["member"].id)
    leaving = await build.member(
        group["id"], who="chair", organisation_id=school, role="critical_friend"
    )
    url = f"/api/v1/communities/{group['id']}/members"
    early = await client.post(
        f"/api/v1/community-members/{leaving['id']}/end",
        json={"left_on": "2000-01-01"},
        headers=world.headers("chair"),
    )
    assert early.status_code == 422
    ended = await client.post(
        f"/api/v1/community-members/{leaving['id']}/end", headers=world.headers("chair")
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["left_on"] is not None
    current = (await client.get(url, headers=world.headers("member"))).json()["items"]
    assert [m["id"] for m in current] == [staying["id"]]
    history = await client.get(f"{url}?include_ended=true", headers=world.headers("member"))
    assert [m["id"] for m in history.json()["items"]] == [staying["id"], leaving["id"]]
    assert history.json()["items"][1]["role"] == "critical_friend"
    again = await client.post(
        f"/api/v1/community-members/{leaving['id']}/end", headers=world.headers("chair")
    )
    assert again.status_code == 409
    # The organisation may join again: a new row, the old one stays.
    rejoined = await build.member(group["id"], organisation_id=school)
    assert rejoined["id"] != leaving["id"]
    only_leads = await client.get(f"{url}?role=lead", headers=world.headers("member"))
    assert only_leads.json()["items"] == []


async def test_bad_members_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community()
    school = await build.organisation()
    await build.member(group["id"], user_id=world["member"].id)
    url = f"/communities/{group['id']}/members"
    for body, expected in [
        ({"user_id": 999_999}, 422),
        ({"organisation_id": 999_999}, 422),
        ({"user_id": world["member"].id, "organisation_id": school}, 422),
        ({}, 422),
        ({"organisation_id": school, "role": "owner"}, 422),
        ({"organisation_id": school, "id": 3}, 422),
        ({"user_id": world["member"].id}, 409),
    ]:
        response = await build.call("POST", url, json=body)
        assert response.status_code == expected, (body, response.text)
    listed = await build.get(f"{url}?include_ended=true")
    assert len(listed["items"]) == 1


async def test_the_lead_runs_members_and_meetings_until_leaving(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community(kind="community_of_practice", title="Banyule CoP")
    lead = await build.lead(group["id"])
    added = await build.member(group["id"], who="lead", user_id=world["facilitator"].id)
    assert added["role"] == "member"
    meeting = await build.meeting(group["id"], who="lead")
    assert meeting["community_id"] == group["id"]
    # The lead does not edit the community itself.
    await build.call("PATCH", f"/communities/{group['id']}", "lead", {"title": "x"}, expect=403)
    # A plain member of the community reads but does not run it.
    member = await build.person("plain")
    await build.member(group["id"], user_id=member.id)
    world.people["plain"] = member
    await build.call("GET", f"/meetings/{meeting['id']}", "plain", expect=200)
    body = {"held_on": "2021-12-01"}
    await build.call("POST", f"/communities/{group['id']}/meetings", "plain", body, expect=403)
    # Once the lead has left, the community no longer exists for them.
    mine = [
        m
        for m in (await build.get(f"/communities/{group['id']}/members"))["items"]
        if m["user_id"] == lead.id
    ]
    await build.call("POST", f"/community-members/{mine[0]['id']}/end", "lead", expect=200)
    await build.call("GET", f"/communities/{group['id']}", "lead", expect=404)


async def test_meetings_filter_by_date_and_validate_attendees(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community()
    for held_on in ("2021-09-07", "2021-11-02", "2022-01-11"):
        await build.meeting(
            group["id"],
            held_on=held_on,
            attendee_user_ids=[world["chair"].id, world["chair"].id],
            attendee_names=["Kevin Lowden"],
            evaluative_statements=["Teachers felt more confident using data."],
        )
    url = f"/communities/{group['id']}/meetings"
    listed = await build.get(f"{url}?from=2021-10-01&to=2021-12-31")
    assert [m["held_on"] for m in listed["items"]] == ["2021-11-02"]
    assert listed["items"][0]["attendee_user_ids"] == [world["chair"].id]
    newest_first = await build.get(f"{url}?sort=-held_on&limit=2")
    assert [m["held_on"] for m in newest_first["items"]] == ["2022-01-11", "2021-11-02"]
    assert newest_first["next_cursor"]
    await build.call("GET", f"{url}?from=2022-01-01&to=2021-01-01", expect=422)
    unknown = {"held_on": "2022-02-01", "attendee_user_ids": [999_999]}
    await build.call("POST", url, json=unknown, expect=422)
    first = listed["items"][0]["id"]
    patched = await build.call(
        "PATCH", f"/meetings/{first}", json={"notes": "Shared findings"}, expect=200
    )
    assert patched.json()["notes"] == "Shared findings"
    assert patched.headers["ETag"] == '"2"'
    stale = await build.call(
        "PATCH", f"/meetings/{first}", json={"notes": "x"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    await build.call("DELETE", f"/meetings/{first}", expect=204)
    await build.call("GET", f"/meetings/{first}", expect=404)
    assert len((await build.get(url))["items"]) == 2
    await build.call("POST", f"/meetings/{first}/restore", expect=200)
    assert len((await build.get(url))["items"]) == 3


async def test_community_fields_cadence_and_status(client: httpx.AsyncClient, world: World) -> None:
    build = Builder(client, world)
    cop = await build.community(
        kind="community_of_practice",
        title="Banyule Network Community of Practice",
        focus_area="FISO: building practice excellence",
        cadence={"frequency": "every two months", "duration_minutes": 60, "format": "in_person"},
        development_plan="Term 1: data walk; Term 2: peer observation.",
    )
    assert cop["status"] == "forming"
    assert cop["cadence"] == {
        "frequency": "every two months",
        "duration_minutes": 60,
        "format": "in_person",
    }
    url = f"/communities/{cop['id']}"
    for body in [
        {"cadence": {"format": "carrier pigeon"}},
        {"cadence": {"duration_minutes": 0}},
        {"status": "archived"},
        {"kind": None},
        {"participating_network_ids": [999_999]},
        {"network_id": world.network_b},
    ]:
        await build.call("PATCH", url, json=body, expect=422)
    active = await build.call("PATCH", url, json={"status": "active", "cadence": None}, expect=200)
    assert active.json()["cadence"] is None
    assert active.json()["status"] == "active"
    await build.community(kind="working_group", title="Leveraging EU funds")
    a = world.network_a
    kinds = await build.get(f"/networks/{a}/communities?kind=community_of_practice")
    assert [c["id"] for c in kinds["items"]] == [cop["id"]]
    found = await build.get(f"/networks/{a}/communities?q=eu%20funds")
    assert [c["title"] for c in found["items"]] == ["Leveraging EU funds"]
    actives = await build.get(f"/networks/{a}/communities?status=active")
    assert [c["id"] for c in actives["items"]] == [cop["id"]]
    bad_body = {"kind": "club", "title": "x"}
    await build.call("POST", f"/networks/{a}/communities", json=bad_body, expect=422)


async def test_deleting_a_community_hides_its_members_and_meetings(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community()
    member = await build.member(group["id"], user_id=world["member"].id)
    meeting = await build.meeting(group["id"])
    await build.call("DELETE", f"/communities/{group['id']}", "chair", expect=204)
    for path in (
        f"/communities/{group['id']}",
        f"/communities/{group['id']}/members",
        f"/community-members/{member['id']}",
        f"/meetings/{meeting['id']}",
    ):
        await build.call("GET", path, "chair", expect=404)
    assert (await build.get(f"/networks/{world.network_a}/communities"))["items"] == []
    await build.call("POST", f"/communities/{group['id']}/restore", "member", expect=403)
    await build.call("POST", f"/communities/{group['id']}/restore", "chair", expect=200)
    await build.call("GET", f"/meetings/{meeting['id']}", "member", expect=200)
    await build.call("POST", f"/communities/{group['id']}/restore", "chair", expect=404)


async def test_community_actions_lists_owned_and_responsible_actions(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    group = await build.community(title="International Cooperation Thematic Working Group")
    other = await build.community()
    plans = PlanBuilder(client, world)
    plan = await plans.plan()
    responsible = await plans.objective(plan["id"], "4", responsible_community_id=group["id"])
    elsewhere = await plans.objective(plan["id"], "6")
    under = await plans.action(responsible["id"], description="Mobility register")
    owned = await plans.action(
        elsewhere["id"], description="Staff mobilities", owner_community_id=group["id"]
    )
    await plans.action(elsewhere["id"], description="Not ours", owner_community_id=other["id"])
    dropped = await plans.action(elsewhere["id"], owner_community_id=group["id"])
    await build.call("DELETE", f"/actions/{dropped['id']}", "chair", expect=204)
    url = f"/communities/{group['id']}/actions"
    listed = await build.get(url, "member")
    assert [a["id"] for a in listed["items"]] == [under["id"], owned["id"]]
    first = await build.get(f"{url}?limit=1", "member")
    assert [a["id"] for a in first["items"]] == [under["id"]]
    second = await build.get(f"{url}?limit=1&cursor={first['next_cursor']}", "member")
    assert [a["id"] for a in second["items"]] == [owned["id"]]
    assert second["next_cursor"] is None
    # A lead with no network role sees the community, not the network's plans.
    await build.lead(group["id"])
    assert (await build.get(url, "lead"))["items"] == []


@contextmanager
def count_selects(world: World):
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = world.app.state.cohesion.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


async def test_lists_take_a_constant_number_of_queries(
    client: httpx.AsyncClient, world: World
) -> None:
    build = Builder(client, world)
    counts: dict[str, list[int]] = {"communities": [], "enrolments": [], "cohorts": []}
    cohort = await build.cohort()
    for size in (2, 8):
        while (
            len((await build.get(f"/networks/{world.network_a}/communities?limit=200"))["items"])
            < size
        ):
            await build.community(participating_network_ids=[world.network_b])
            await build.enrol(cohort["id"], await build.organisation(), ["numeracy"])
            await build.cohort()
        for name, path in [
            ("communities", f"/networks/{world.network_a}/communities"),
            ("enrolments", f"/cohorts/{cohort['id']}/enrolments"),
            ("cohorts", f"/networks/{world.network_a}/cohorts"),
        ]:
            with count_selects(world) as seen:
                await build.get(path, "member")
            counts[name].append(len(seen))
    for name, (small, large) in counts.items():
        assert small == large, (name, counts)
