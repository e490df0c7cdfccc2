"""Password reset end to end, through the e-mailed link, with a real SMTP server."""

import logging

import httpx
import pytest
from sqlalchemy import select

from app.mail.models import MailMessage
from app.mail.worker import MailWorker
from tests.conftest import World
from tests.notifications.conftest import Inbox, audited, deliver

API = "/api/v1"
NEW_PASSWORD = "a much better passphrase"


async def ask(api: httpx.AsyncClient, email: str) -> httpx.Response:
    return await api.post(f"{API}/auth/password-reset", json={"email": email})


async def log_in(api: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await api.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )


async def test_reset_through_the_emailed_link(
    api: httpx.AsyncClient,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    member = world["member"]
    assert (await api.get(f"{API}/me", headers=member.headers)).status_code == 200
    response = await ask(api, member.email.upper())
    assert response.status_code == 202
    assert await deliver(mailer) == 1
    [message] = inbox.messages
    assert message["To"] == member.email
    assert message["Subject"] == "[Cohesion] Reset your password"
    assert message["From"] == "Cohesion <no-reply@cohesion.test>"
    html = message.get_body(("html",))
    assert html is not None and "reset-password?token=" in str(html.get_content())
    token = inbox.token(message, "reset-password")

    confirmed = await api.post(
        f"{API}/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code == 204, confirmed.text
    assert await audited(world, "users", "reset_password") == 1  # BY_EMAILED_TOKEN relies on it
    # Every earlier access token stops working; the new password logs in, the old does not.
    assert (await api.get(f"{API}/me", headers=member.headers)).status_code == 401
    assert (await log_in(api, member.email, NEW_PASSWORD)).status_code == 200
    assert (await log_in(api, member.email, "correct horse battery")).status_code == 401
    # Single use.
    again = await api.post(
        f"{API}/auth/password-reset/confirm",
        json={"token": token, "new_password": "yet another one"},
    )
    assert again.status_code == 422
    assert again.headers["content-type"].startswith("application/problem+json")
    # No token and no password in any log line of the app (the test's own SMTP server,
    # "mail.log", and HTTP client, "httpx", are not part of it).
    for record in caplog.records:
        if record.name in ("mail.log", "httpx"):
            continue
        line = record.getMessage() + " " + str(record.__dict__)
        assert token not in line
        assert NEW_PASSWORD not in line


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    api: httpx.AsyncClient, world: World, notify_app: object
) -> None:
    response = await ask(api, "nobody@test.example")
    assert response.status_code == 202
    assert response.content == b""
    async with world.app.state.cohesion.db.transaction() as session:
        assert (await session.scalars(select(MailMessage))).all() == []


async def test_a_reset_ends_every_earlier_reset_link(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    email = world["facilitator"].email
    assert (await ask(api, email)).status_code == 202
    assert (await ask(api, email)).status_code == 202
    assert await deliver(mailer) == 2
    first, second = (inbox.token(m, "reset-password") for m in inbox.messages)
    ok = await api.post(
        f"{API}/auth/password-reset/confirm", json={"token": second, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 204
    stale = await api.post(
        f"{API}/auth/password-reset/confirm", json={"token": first, "new_password": NEW_PASSWORD}
    )
    assert stale.status_code == 422


async def test_the_queued_mail_does_not_hold_the_token_in_clear(
    api: httpx.AsyncClient, world: World, inbox: Inbox, mailer: MailWorker
) -> None:
    await ask(api, world["member"].email)
    async with world.app.state.cohesion.db.transaction() as session:
        [queued] = (await session.scalars(select(MailMessage))).all()
    await deliver(mailer)
    token = inbox.token(inbox.messages[0], "reset-password")
    assert token not in queued.content
    async with world.app.state.cohesion.db.transaction() as session:
        [sent] = (await session.scalars(select(MailMessage))).all()
    assert sent.status == "sent"
    assert sent.attempts == 1


async def test_bad_tokens_are_refused_cleanly(api: httpx.AsyncClient, world: World) -> None:
    for token in ("x" * 43, "short", "../" * 10):
        response = await api.post(
            f"{API}/auth/password-reset/confirm",
            json={"token": token, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 422, response.text
