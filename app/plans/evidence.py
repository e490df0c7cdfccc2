"""Evidence that cites a record of another domain: an evaluation (seed 004: "Participant
feedback evaluations will demonstrate an increase in confidence", shown by a programme's
pre and post evaluations).

Plans know nothing of the domains that extend them: the partnerships package registers how an
evaluation is found (``register_evaluations``) when it is imported.
"""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable

# (session, evaluation id, the plan's network id) → whether that evaluation exists and belongs
# to a programme of that network.
EvaluationCheck = Callable[[AsyncSession, int, int], Awaitable[bool]]
_evaluations: EvaluationCheck | None = None


def register_evaluations(check: EvaluationCheck) -> None:
    global _evaluations
    _evaluations = check


async def check_evaluation(session: AsyncSession, evaluation_id: int, network_id: int) -> None:
    """422 unless the evaluation is one of the plan network's programmes'."""
    if _evaluations is None or not await _evaluations(session, evaluation_id, network_id):
        raise Unprocessable(
            f"evaluation {evaluation_id} is not an evaluation of this network's programmes",
            errors=[
                {"loc": ["body", "evaluation_id"], "msg": "unknown evaluation", "type": "unknown"}
            ],
        )
