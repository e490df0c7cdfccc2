"""A Python client generated from openapi/openapi.json, used as a partner portal would: log
in, list networks, import a plan, read its progress — against a live server."""

import importlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import DEMO_CHAIR, DEMO_PASSWORD, ROOT, live_server

__all__ = ["live_server"]

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PLAN = ROOT / "examples" / "cln-outcome-planner-2019-20.json"

pytestmark = pytest.mark.skipif(not GENERATOR.exists(), reason="openapi-python-client missing")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("client") / "cohesion_client"
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(ROOT / "openapi" / "openapi.json"),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("cohesion_client")
    finally:
        sys.path.remove(str(out.parent))


def test_generated_client_logs_in_lists_imports_and_reads_progress(
    generated, live_server: str
) -> None:
    from cohesion_client.api.auth import create_token
    from cohesion_client.api.networks import list_networks
    from cohesion_client.api.plans import get_plan_progress, import_network_plan
    from cohesion_client.models import BodyCreateToken, BodyImportNetworkPlan, PlanImported
    from cohesion_client.types import File

    anonymous = generated.Client(base_url=live_server)
    token = create_token.sync(
        client=anonymous,
        body=BodyCreateToken(grant_type="password", username=DEMO_CHAIR, password=DEMO_PASSWORD),
    )
    assert token is not None and token.token_type == "bearer"
    client = generated.AuthenticatedClient(base_url=live_server, token=token.access_token)

    page = list_networks.sync(client=client, q="network of networks")
    assert page is not None
    (non,) = page.items
    assert non.name == "Network of Networks"

    plan = import_network_plan.sync(
        network_id=non.id,
        client=client,
        body=BodyImportNetworkPlan(
            file=File(payload=io.BytesIO(PLAN.read_bytes()), file_name=PLAN.name)
        ),
    )
    assert isinstance(plan, PlanImported), plan
    progress = get_plan_progress.sync(plan_id=plan.id, client=client)
    assert progress is not None
    assert progress.plan_id == plan.id
    assert progress.actions.total == 18
    assert progress.milestones.total == 29
