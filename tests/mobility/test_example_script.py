"""examples/post_mobility_counts.py against the real app (Starlette's TestClient is an
httpx.Client, so the script runs unchanged): batches, replays on rerun, CSV line numbers."""

import importlib.util
import sys
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.conftest import ROOT, World, make_settings
from tests.mobility.helpers import API, Orgs

SCRIPT = ROOT / "examples" / "post_mobility_counts.py"
# Starlette asks TestClient users to move to httpx2; the script itself uses plain httpx.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")


def load_script():
    spec = importlib.util.spec_from_file_location("post_mobility_counts", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = load_script()


def write_csv(path: Path, orgs: Orgs, rows: int) -> Path:
    lines = ["period,sending_org,receiving_org,participant,mode,eqf_level,count,source_ref,extra"]
    pairs = [(s, r) for s in range(6) for r in range(6) if s != r]
    for i in range(rows):
        s, r = pairs[i % len(pairs)]
        month = i // len(pairs)
        sending = orgs.oids[s] if i % 2 else str(orgs[s])
        receiving = orgs.oids[r]
        eqf = "" if i % 3 else str(1 + i % 8)
        period = f"{2000 + month // 12}-{month % 12 + 1:02d}"
        lines.append(f"{period},{sending},{receiving},staff,virtual,{eqf},{i % 7},ref-{i},x")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reading_rules(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "\ufeffperiod,sending_org,receiving_org,participant,mode,count\n"
        "2021-10,12,949123456,staff,physical,3\n"
        "\n"
        "2021-11, E10208620 ,00012,learner,virtual,many\n"
    )
    data = script.read_csv(path)
    assert data.records == [
        {
            "period": "2021-10",
            "sending_org": 12,
            "receiving_org": "949123456",  # nine digits: a PIC
            "participant": "staff",
            "mode": "physical",
            "count": 3,
        },
        {
            "period": "2021-11",
            "sending_org": "E10208620",
            "receiving_org": 12,
            "participant": "learner",
            "mode": "virtual",
            "count": "many",  # left for the server to name
        },
    ]
    assert data.lines == [2, 4]
    assert script.read_csv(path, "codes").records[0]["sending_org"] == "12"
    assert script.idempotency_key(data.digest, 4, 1000, 2) == script.idempotency_key(
        script.read_csv(path).digest, 4, 1000, 2
    )
    (tmp_path / "bad.csv").write_text("period,count\n2021-10,1\n")
    with pytest.raises(ValueError, match="sending_org"):
        script.read_csv(tmp_path / "bad.csv")
    assert [*script.batches(list(range(5)), 2)] == [(0, 2), (2, 4), (4, 5)]


def test_retry_after_header() -> None:
    assert script.retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7
    assert script.retry_after(httpx.Response(503)) is None
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert script.retry_after(httpx.Response(503, headers={"Retry-After": past})) == 0


@pytest.fixture
def account(world: World, orgs: Orgs, database_url: str):
    from fastapi.testclient import TestClient

    app = create_app(make_settings(database_url, max_body_bytes=8 * 1_048_576))
    with TestClient(app) as http:
        created = http.post(
            f"{API}/networks/{world.network_a}/service-accounts",
            json={"name": "CSV upload", "scopes": ["mobility:write"]},
            headers=world.headers("chair"),
        )
        assert created.status_code == 201
        yield http, created.json()


def test_script_posts_a_file_and_a_rerun_replays(account, world: World, orgs, tmp_path, capsys):
    http, sa = account
    path = write_csv(tmp_path / "counts.csv", orgs, 2500)
    data = script.read_csv(path)
    poster = script.Poster(
        http,
        network_id=world.network_a,
        client_id=sa["client_id"],
        client_secret=sa["client_secret"],
    )
    totals = script.post_file(poster, data, batch_size=1000, progress=script.Progress(2500))
    assert (totals.records, totals.inserted, totals.replayed) == (2500, 2500, 0)
    assert "2,500/2,500 records" in capsys.readouterr().err
    again = script.Poster(
        http,
        network_id=world.network_a,
        client_id=sa["client_id"],
        client_secret=sa["client_secret"],
    )
    totals = script.post_file(again, data, batch_size=1000)
    assert (totals.inserted, totals.replayed) == (2500, 3)  # the stored answers, replayed
    other_batching = script.Poster(
        http,
        network_id=world.network_a,
        client_id=sa["client_id"],
        client_secret=sa["client_secret"],
    )
    totals = script.post_file(other_batching, data, batch_size=700)
    assert (totals.inserted, totals.unchanged, totals.replayed) == (0, 2500, 0)
    rows = http.get(
        f"{API}/networks/{world.network_a}/mobility-counts/summary",
        headers=world.headers("member"),
    ).json()
    assert rows["total"] == sum(i % 7 for i in range(2500))


def test_main_reports_refusal_lines(account, world, orgs, tmp_path, monkeypatch, capsys):
    http, sa = account
    path = write_csv(tmp_path / "counts.csv", orgs, 30)
    text = path.read_text().splitlines()
    text[4] = text[4].replace("virtual", "hovercraft")  # line 5 of the file
    text[20] = text[20].replace(",E1", ",E0", 1)  # line 21: an unknown sending code
    path.write_text("\n".join(text) + "\n")
    monkeypatch.setenv("COHESION_CLIENT_ID", sa["client_id"])
    monkeypatch.setenv("COHESION_CLIENT_SECRET", sa["client_secret"])
    assert script.main([str(path), "--network-id", str(world.network_a)], client=http) == 1
    err = capsys.readouterr().err
    assert "2 of 30 records" in err
    assert "line 5, mode" in err
    assert "line 21, sending_org: no organisation" in err
    monkeypatch.delenv("COHESION_CLIENT_SECRET")
    assert script.main([str(path), "--network-id", str(world.network_a)], client=http) == 2
