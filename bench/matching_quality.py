"""Measure the quality of the collaborative-learning-team matching on generated cohorts.

Run: ``.venv/bin/python bench/matching_quality.py``. It builds a cohort of 40 schools across
the West Partnership's eight local authorities (uneven sizes, 1-3 enquiry topics each drawn
from ten topics of uneven popularity, fixed seeds), matches it into teams of 3-4 and prints
the numbers docs/matching.md quotes, next to three baselines that ignore topics: teams of
consecutive ids, of a list sorted by local authority, and a seeded random split.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.communities.matching import Candidate, Matching, describe, propose, team_sizes

AUTHORITIES = {
    "Glasgow City": 9,
    "North Lanarkshire": 7,
    "South Lanarkshire": 6,
    "Renfrewshire": 5,
    "East Dunbartonshire": 4,
    "East Renfrewshire": 4,
    "Inverclyde": 3,
    "West Dunbartonshire": 2,
}
TOPICS = {
    "numeracy": 8,
    "literacy": 8,
    "health and wellbeing": 6,
    "digital learning": 5,
    "parental engagement": 4,
    "play-based learning": 4,
    "STEM": 3,
    "outdoor learning": 2,
    "transitions": 2,
    "learner voice": 1,
}
SEEDS = range(1, 11)
MIN_SIZE, MAX_SIZE = 3, 4


def cohort(seed: int) -> list[Candidate]:
    """40 schools with ids 1..40, authorities interleaved, topics drawn with ``seed``."""
    rng = random.Random(seed)
    authorities = [a for a, n in AUTHORITIES.items() for _ in range(n)]
    rng.shuffle(authorities)
    names, weights = list(TOPICS), list(TOPICS.values())
    schools = []
    for school_id, authority in enumerate(authorities, start=1):
        topics: set[str] = set()
        for _ in range(rng.choice([1, 2, 2, 3])):
            topics.add(rng.choices(names, weights)[0])
        schools.append(Candidate.of(school_id, authority, topics))
    return schools


def consecutive(schools: list[Candidate]) -> list[list[int]]:
    ids = [s.organisation_id for s in schools]
    groups, start = [], 0
    for size in team_sizes(len(ids), MIN_SIZE, MAX_SIZE):
        groups.append(ids[start : start + size])
        start += size
    return groups


def by_authority(schools: list[Candidate]) -> list[list[int]]:
    """Consecutive schools of a list sorted by local authority (as a spreadsheet might be)."""
    ordered = sorted(schools, key=lambda s: (s.local_authority or "", s.organisation_id))
    return consecutive(ordered)


def shuffled(schools: list[Candidate], seed: int) -> list[list[int]]:
    ids = [s.organisation_id for s in schools]
    random.Random(seed).shuffle(ids)
    groups, start = [], 0
    for size in team_sizes(len(ids), MIN_SIZE, MAX_SIZE):
        groups.append(ids[start : start + size])
        start += size
    return groups


def numbers(result: Matching) -> dict[str, float]:
    s = result.summary
    placed_with_partner = sum(
        1 for t in result.teams for p in t.placements if p.shared_topics
    ) / max(s.schools, 1)
    return {
        "mean_topic_overlap": s.mean_topic_overlap,
        "cross_authority_share": s.cross_authority_share,
        "teams_with_shared_topic": s.teams_with_shared_topic / s.teams,
        "schools_sharing_a_topic": placed_with_partner,
    }


def row(name: str, values: list[dict[str, float]]) -> str:
    mean = {k: sum(v[k] for v in values) / len(values) for k in values[0]}
    return (
        f"{name:<22} {mean['mean_topic_overlap']:>8.3f} {mean['cross_authority_share']:>8.0%}"
        f" {mean['teams_with_shared_topic']:>8.0%} {mean['schools_sharing_a_topic']:>8.0%}"
    )


def main() -> None:
    first = cohort(SEEDS[0])
    started = time.perf_counter()
    result = propose(first, MIN_SIZE, MAX_SIZE)
    elapsed = time.perf_counter() - started
    again = propose(first, MIN_SIZE, MAX_SIZE)
    s = result.summary
    print(f"Cohort seed {SEEDS[0]}: {s.schools} schools, {len(AUTHORITIES)} local authorities,")
    print(f"  teams of {MIN_SIZE}-{MAX_SIZE}: {s.teams} teams, sizes {s.size_distribution}")
    print(f"  mean topic overlap per team (Jaccard): {s.mean_topic_overlap:.3f}")
    print(f"  teams whose schools share a topic: {s.teams_with_shared_topic} of {s.teams}")
    print(
        f"  cross-authority teams: {s.cross_authority_teams} of {s.teams}"
        f" ({s.cross_authority_share:.0%}); single-authority: {s.single_authority_teams}"
    )
    placed = sorted(i for t in result.teams for i in t.organisation_ids)
    print(f"  every school placed once: {placed == list(range(1, 41))}")
    print(f"  same input, same teams: {again == result}")
    print(f"  time: {elapsed * 1000:.0f} ms")
    print()
    print(f"Mean over {len(SEEDS)} generated cohorts (seeds {SEEDS[0]}-{SEEDS[-1]}):")
    print(f"{'split':<22} {'overlap':>8} {'cross-LA':>8} {'shared':>8} {'schools':>8}")
    runs = [cohort(seed) for seed in SEEDS]
    print(row("matching", [numbers(propose(c, MIN_SIZE, MAX_SIZE)) for c in runs]))
    print(row("consecutive ids", [numbers(describe(c, consecutive(c))) for c in runs]))
    print(row("sorted by authority", [numbers(describe(c, by_authority(c))) for c in runs]))
    print(row("random split", [numbers(describe(c, shuffled(c, 7))) for c in runs]))
    print()
    print("overlap: mean over teams of the mean pairwise Jaccard overlap of topic tags;")
    print("cross-LA: share of teams spanning >= 2 local authorities; shared: share of teams")
    print("where some topic is held by >= 2 schools; schools: share of schools sharing a")
    print("topic with at least one teammate.")


if __name__ == "__main__":
    main()
