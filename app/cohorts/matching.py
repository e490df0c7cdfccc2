"""Matching a cohort's schools into collaborative learning teams: pure functions, no I/O.

The West Partnership matches 30-40 schools per cohort into teams of a few schools that work
together on one enquiry, "across and between local authorities" (seed 004). The algorithm,
documented with its measured quality in docs/matching.md:

1. **Team sizes.** With ``n`` schools and sizes ``min..max``, the number of teams is the
   smallest ``k`` with ``k * max >= n``; the sizes are as even as possible (``n // k`` or one
   more), largest first. No such split exists when ``k * min > n`` (e.g. 5 schools in teams
   of 3-4): that is an error, not a team left short.
2. **Similarity.** Two schools' similarity is the Jaccard overlap of their topic tags
   (case-insensitive): shared tags / all their tags, 0 when neither has any.
3. **Objective.** A split is worth, per team, the sum over its pairs of similarity divided
   by ``size - 1`` (each school's mean similarity to its teammates, summed over the team and
   halved), plus ``AUTHORITY_BONUS`` per local authority beyond the first, minus
   ``SINGLE_AUTHORITY_PENALTY`` for a team whose schools share one local authority (or
   have none recorded) when the cohort spans at least two. The penalty outweighs any
   topic gain, so cross-authority teams come first and topics decide among them.
4. **Greedy start.** Teams are filled one at a time, largest first. The seed is the unplaced
   school least similar to the other unplaced ones (the hardest to place later); then the
   unplaced school adding most to the team's worth joins, until the team is full.
5. **Local search.** Swapping two schools of different teams, or moving one school to a team
   with room (sizes stay within range), is applied when it raises the objective; passes over
   all pairs, in id order, repeat until none helps (at most ``MAX_PASSES``).

Every choice breaks ties by organisation id and every loop runs in id order, so the same
input gives the same teams; there is no randomness.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

SINGLE_AUTHORITY_PENALTY = 10.0
AUTHORITY_BONUS = 0.02
MAX_PASSES = 50
EPSILON = 1e-9


class MatchingError(ValueError):
    """The input cannot be matched; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str, kind: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Candidate:
    """A school to place: its organisation id, local authority and enquiry topic tags."""

    organisation_id: int
    local_authority: str | None
    topics: frozenset[str]

    @classmethod
    def of(
        cls, organisation_id: int, local_authority: str | None, topics: Iterable[str]
    ) -> "Candidate":
        """A candidate with its topics normalised (trimmed, case-folded, blanks dropped)."""
        return cls(organisation_id, local_authority or None, normalise_topics(topics))


@dataclass(frozen=True)
class Placement:
    organisation_id: int
    shared_topics: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Team:
    organisation_ids: tuple[int, ...]
    score: float
    shared_topics: tuple[str, ...]
    local_authorities: tuple[str, ...]
    placements: tuple[Placement, ...]


@dataclass(frozen=True)
class Summary:
    schools: int
    teams: int
    size_distribution: dict[int, int]
    mean_topic_overlap: float
    teams_with_shared_topic: int
    cross_authority_teams: int
    single_authority_teams: int
    cross_authority_share: float
    cross_authority_possible: bool


@dataclass(frozen=True)
class Matching:
    teams: tuple[Team, ...]
    summary: Summary


def normalise_topics(topics: Iterable[str]) -> frozenset[str]:
    return frozenset(t.strip().casefold() for t in topics if t and t.strip())


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two topic sets; 0 when both are empty."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def team_sizes(n: int, min_size: int, max_size: int) -> list[int]:
    """The sizes of the teams ``n`` schools are split into, largest first."""
    if min_size < 1:
        raise MatchingError("min_size", "a team needs at least one school", "team_size")
    if max_size < min_size:
        raise MatchingError("max_size", "max_size is smaller than min_size", "size_range")
    if n == 0:
        raise MatchingError("cohort", "the cohort has no enrolled schools to match", "empty")
    k = -(-n // max_size)
    if k * min_size > n:
        raise MatchingError(
            "min_size",
            f"{n} schools cannot be split into teams of {min_size}-{max_size}",
            "infeasible",
        )
    base, extra = divmod(n, k)
    return [base + 1] * extra + [base] * (k - extra)


class _State:
    """Teams under construction, with the numbers the objective needs."""

    def __init__(self, candidates: Sequence[Candidate], min_size: int, max_size: int) -> None:
        self.ids = [c.organisation_id for c in candidates]
        self.by_id = {c.organisation_id: c for c in candidates}
        self.sim = {
            (a.organisation_id, b.organisation_id): similarity(a.topics, b.topics)
            for a, b in combinations(candidates, 2)
        }
        authorities = {c.local_authority for c in candidates if c.local_authority}
        self.cross_possible = len(authorities) >= 2
        self.min_size = min_size
        self.max_size = max_size
        self.teams: list[list[int]] = []
        self.team_of: dict[int, int] = {}

    def w(self, a: int, b: int) -> float:
        return self.sim[(a, b)] if a < b else self.sim[(b, a)]

    def worth(self, members: Sequence[int]) -> float:
        if not members:
            return 0.0
        ordered = sorted(members)
        pairs = sum(self.w(a, b) for a, b in combinations(ordered, 2))
        value = pairs / (len(ordered) - 1) if len(ordered) > 1 else 0.0
        authorities = {self.by_id[m].local_authority for m in ordered} - {None}
        value += AUTHORITY_BONUS * max(len(authorities) - 1, 0)
        if self.cross_possible and len(authorities) < 2:
            value -= SINGLE_AUTHORITY_PENALTY
        return value

    def place(self, team: int, member: int) -> None:
        self.teams[team].append(member)
        self.team_of[member] = team


def _greedy(state: _State, sizes: list[int]) -> None:
    unplaced = sorted(state.ids)
    for size in sizes:
        remaining = set(unplaced)
        seed = min(
            unplaced,
            key=lambda s: (sum(state.w(s, o) for o in sorted(remaining - {s})), s),
        )
        state.teams.append([])
        index = len(state.teams) - 1
        state.place(index, seed)
        unplaced.remove(seed)
        while len(state.teams[index]) < size:
            current = state.teams[index]
            here = state.worth(current)
            best = max(
                unplaced, key=lambda s: (state.worth([*current, s]) - here, -s)
            )  # ties: lowest id
            state.place(index, best)
            unplaced.remove(best)


def _swap_gain(state: _State, a: int, b: int) -> float:
    ta, tb = state.team_of[a], state.team_of[b]
    old_a, old_b = state.teams[ta], state.teams[tb]
    new_a = [b if m == a else m for m in old_a]
    new_b = [a if m == b else m for m in old_b]
    before = state.worth(old_a) + state.worth(old_b)
    return state.worth(new_a) + state.worth(new_b) - before


def _move_gain(state: _State, a: int, target: int) -> float:
    source = state.team_of[a]
    old_s, old_t = state.teams[source], state.teams[target]
    new_s = [m for m in old_s if m != a]
    before = state.worth(old_s) + state.worth(old_t)
    return state.worth(new_s) + state.worth([*old_t, a]) - before


def _improve(state: _State) -> None:
    order = sorted(state.ids)
    for _ in range(MAX_PASSES):
        improved = False
        for a, b in combinations(order, 2):
            if state.team_of[a] == state.team_of[b]:
                continue
            if _swap_gain(state, a, b) > EPSILON:
                ta, tb = state.team_of[a], state.team_of[b]
                state.teams[ta] = [b if m == a else m for m in state.teams[ta]]
                state.teams[tb] = [a if m == b else m for m in state.teams[tb]]
                state.team_of[a], state.team_of[b] = tb, ta
                improved = True
        for a in order:
            source = state.team_of[a]
            if len(state.teams[source]) <= state.min_size:
                continue
            for target in range(len(state.teams)):
                if target == source or len(state.teams[target]) >= state.max_size:
                    continue
                if _move_gain(state, a, target) > EPSILON:
                    state.teams[source].remove(a)
                    state.place(target, a)
                    improved = True
                    break
        if not improved:
            return


def _describe(state: _State, members: list[int]) -> Team:
    ordered = sorted(members)
    candidates = [state.by_id[m] for m in ordered]
    pairs = list(combinations(ordered, 2))
    score = sum(state.w(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0
    counts = Counter(t for c in candidates for t in c.topics)
    shared = tuple(sorted((t for t, n in counts.items() if n >= 2), key=lambda t: (-counts[t], t)))
    authorities = tuple(sorted({c.local_authority for c in candidates if c.local_authority}))
    placements = []
    for candidate in candidates:
        mates = [state.by_id[m] for m in ordered if m != candidate.organisation_id]
        mine = tuple(sorted(t for t in candidate.topics if any(t in m.topics for m in mates)))
        with_shared = sum(1 for m in mates if candidate.topics & m.topics)
        if mine:
            topics = ", ".join(repr(t) for t in mine)
            why = f"shares {topics} with {with_shared} of {len(mates)} teammates"
        else:
            why = "shares no topic tag with its teammates; placed to keep team sizes in range"
        where = candidate.local_authority or "no local authority recorded"
        spread = (
            f"the team spans {len(authorities)} local authorities"
            if len(authorities) >= 2
            else "the team is within one local authority"
        )
        placements.append(
            Placement(candidate.organisation_id, mine, f"{why.capitalize()}; {where} ({spread}).")
        )
    return Team(tuple(ordered), round(score, 4), shared, authorities, tuple(placements))


def summarise(teams: Sequence[Team], cross_possible: bool) -> Summary:
    """Numbers describing a split: sizes, mean topic overlap, how many cross authorities."""
    sizes = Counter(len(t.organisation_ids) for t in teams)
    cross = sum(1 for t in teams if len(t.local_authorities) >= 2)
    return Summary(
        schools=sum(sizes[s] * s for s in sizes),
        teams=len(teams),
        size_distribution={s: sizes[s] for s in sorted(sizes)},
        mean_topic_overlap=round(sum(t.score for t in teams) / len(teams), 4) if teams else 0.0,
        teams_with_shared_topic=sum(1 for t in teams if t.shared_topics),
        cross_authority_teams=cross,
        single_authority_teams=len(teams) - cross,
        cross_authority_share=round(cross / len(teams), 4) if teams else 0.0,
        cross_authority_possible=cross_possible,
    )


def describe(candidates: Sequence[Candidate], groups: Sequence[Sequence[int]]) -> Matching:
    """Teams and summary for a given split (used for the proposal and for baselines)."""
    state = _State(sorted(candidates, key=lambda c: c.organisation_id), 1, max(1, len(candidates)))
    teams = sorted((_describe(state, list(g)) for g in groups), key=lambda t: t.organisation_ids)
    return Matching(tuple(teams), summarise(teams, state.cross_possible))


def propose(candidates: Sequence[Candidate], min_size: int, max_size: int) -> Matching:
    """Split ``candidates`` into teams of ``min_size..max_size`` (the rules in the docstring)."""
    ids = [c.organisation_id for c in candidates]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise MatchingError(
            "organisation_ids", f"schools listed more than once: {duplicates}", "duplicate"
        )
    sizes = team_sizes(len(candidates), min_size, max_size)
    ordered = sorted(candidates, key=lambda c: c.organisation_id)
    state = _State(ordered, min_size, max_size)
    _greedy(state, sizes)
    _improve(state)
    return describe(ordered, state.teams)
