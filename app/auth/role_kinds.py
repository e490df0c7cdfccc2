"""Role kinds and the functions a role exercises, as data (seed 003, Victoria's FISO
"Communities of Practice and networks": the network chair's and executive's duties and the
senior education improvement leader's five functions).

``GET /api/v1/role-kinds`` serves ``ROLE_KINDS``; ``check_functions`` is the one rule on which
kinds carry functions (appointing by id and by e-mail both call it).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from app.auth.policy import ROLE_PERMISSIONS, Role, SeilFunction
from app.core.errors import Unprocessable


@dataclass(frozen=True)
class Function:
    name: SeilFunction
    title: str
    description: str
    could: tuple[str, ...]


@dataclass(frozen=True)
class RoleKind:
    kind: Role
    title: str
    summary: str
    duties: tuple[str, ...]
    functions: tuple[Function, ...] = ()

    @property
    def permissions(self) -> list[str]:
        return sorted(p.value for p in ROLE_PERMISSIONS[self.kind])


SEIL_FUNCTIONS = (
    Function(
        SeilFunction.connector,
        "Connector",
        "Broker relationships to help a network nurture its strengths, bridge areas of "
        "development and pursue greater opportunities.",
        (
            "connect networks with experts in education who can contribute to the network's "
            "objectives",
            "connect networks with relevant government agencies, businesses and others who "
            "have an interest in great student outcomes",
        ),
    ),
    Function(
        SeilFunction.integrator,
        "Integrator",
        "Maintain information-sharing relationships with other networks across the state.",
        (
            "foster relationships with other networks to share experience and expertise "
            "according to needs",
            "support communication channels within the network",
        ),
    ),
    Function(
        SeilFunction.facilitator,
        "Facilitator",
        "Focus on enabling collaboration between the network's members, and stimulate "
        "interest within the network to ensure member engagement.",
        (
            "build trust between members by helping them address outstanding issues",
            "help members share performance data to support network initiatives",
        ),
    ),
    Function(
        SeilFunction.challenge_partner,
        "Challenge partner",
        "Help the network members to challenge each other to improve performance and "
        "continually challenge the entire network's performance.",
        (
            "support the evolution of a network from an emerging collegiate and information "
            "sharing focus, to a culture of transparent results and practice",
            "source professional development that enables challenging conversations in a "
            "spirit of reciprocity and professional trust",
        ),
    ),
    Function(
        SeilFunction.conduit,
        "Conduit",
        "Act as a bridge between the central office and the network, enabling a two-way flow "
        "of information and feedback to align and recognise the network's efforts and "
        "achievements.",
        (
            "help the network interpret the effects of new policies or changes",
            "share the network's successes and feedback to central office for broad "
            "dissemination and sharing",
        ),
    ),
)

ROLE_KINDS: tuple[RoleKind, ...] = (
    RoleKind(
        Role.chair,
        "Network chair",
        "A key system leadership role in enabling school leaders to collaborate and take "
        "collective responsibility for all learners in their network.",
        (
            "provide leadership for the network, set the network's agenda and plan the "
            "network's vision and future direction in collaboration with the network executive "
            "and SEIL",
            "focus network collaboration on the FISO improvement cycle, including supporting "
            "the establishment of smaller, initiative-specific groups within the network or "
            "across networks, by using the CoP approach",
            "facilitate a CoP approach to network activity that has a relentless focus on "
            "improving student outcomes, through mutual accountability, collective "
            "responsibility and a rigorous evaluation of the impact of key milestones towards "
            "improvement",
            "ensure that the network is a key forum for building capability, holding "
            "professional, evidence-based conversations, sharing practice and analysing school "
            "performance data",
            "provide opportunities for the network to discuss the implementation of other "
            "Department student-related policy and practice (for example, transitions, "
            "wellbeing, and shared operational matters such as OHS, facilities and staffing)",
            "facilitate opportunities for the network to engage with the broader school, local "
            "communities and with key partners across the government, business and community "
            "sectors to improve student outcomes",
            "collaborate with SEILs and other area-based multidisciplinary team members on "
            "behalf of the network, facilitating two-way communication, consultation and "
            "feedback between the Department and network schools",
            "represent the network as a member of the region's Network Chair Forum",
            "undertake succession planning for the network chair position in collaboration "
            "with the network and the SEILs",
            "other (network-specific)",
        ),
    ),
    RoleKind(
        Role.executive,
        "Network executive",
        "Supports the network chair in their system leadership role; models collaboration and "
        "co-learning and provides a channel for succession planning.",
        (
            "provide leadership of the network, play a key role in supporting the network's "
            "agenda and plan the network's vision and future direction in collaboration with "
            "the network chair and SEILs",
            "focus network collaboration on the effective implementation of the FISO "
            "improvement cycle, including supporting the establishment of smaller, "
            "initiative-specific CoP within or across networks by using the CoP approach",
            "reinforce a CoP approach to network activity that has a relentless focus on "
            "improving student outcomes, through mutual accountability, collective "
            "responsibility and a rigorous evaluation of the impact of key milestones towards "
            "improvement",
            "support the network chair to make sure the network is a key forum for building "
            "capability, holding professional, evidence-based conversations, sharing practice "
            "and analysing school performance data",
            "contribute to network discussions on the implementation of other Department "
            "student-related policy and practice (for example, transitions, wellbeing, and "
            "shared operational matters such as OHS, facilities and staffing) as required",
            "support the network chair to facilitate opportunities for the network to engage "
            "with the broader school and local communities and with key partners across the "
            "government, business and community sectors to improve student outcomes",
            "undertake succession planning for network executive positions in collaboration "
            "with the network chair and the SEILs",
            "other (network-specific)",
        ),
    ),
    RoleKind(
        Role.improvement_leader,
        "Senior education improvement leader (SEIL)",
        "A conduit who plays an important role in facilitating, connecting, integrating and "
        "challenging to ensure effective network practice; helps the network adopt an "
        "effective CoP approach and focus on implementing the FISO. Exercises the functions "
        "the network's self-assessed needs call for.",
        (
            "help the network adopt an effective community of practice approach",
            "ensure the network focuses on implementing the FISO",
        ),
        SEIL_FUNCTIONS,
    ),
    RoleKind(
        Role.facilitator,
        "Facilitator",
        "Supports the network's work and records its progress (for example a Collaborative "
        "Learning Network facilitator, who supports and challenges the learning teams).",
        ("record progress: readings, evidence, check-ins", "keep the mobility register"),
    ),
    RoleKind(
        Role.member,
        "Member",
        "Takes part in the network and reads its plans and progress.",
        ("take part in the network's work",),
    ),
)

BY_KIND = {k.kind: k for k in ROLE_KINDS}


def check_functions(role: Role, functions: Iterable[SeilFunction]) -> None:
    """Only a kind that lists functions carries them (422 otherwise): the SEIL's."""
    allowed = {f.name for f in BY_KIND[role].functions}
    wrong = [f.value for f in functions if f not in allowed]
    if wrong:
        carriers = ", ".join(k.kind.value for k in ROLE_KINDS if k.functions)
        raise Unprocessable(
            f"a {role.value} exercises no functions ({', '.join(wrong)}); only {carriers} does",
            errors=[
                {
                    "loc": ["body", "functions"],
                    "msg": f"only for {carriers}",
                    "type": "functions_not_allowed",
                }
            ],
        )
