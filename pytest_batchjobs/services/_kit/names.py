"""The words the factory builds names from: job name stems, teams, IAM roles.

They are the plugin's own, fixed in this module, and drawn with the factory's seeded
``random.Random``: the same seed gives the same names on every machine, whatever else
is installed and in whichever version. (They used to come from faker, whose word
lists change between its releases, and whose pytest plugin, registered by merely
installing it, builds a ``Faker()`` at the start of every pytest session: half a
second on every run of a project that installed this plugin.)

Every word is lower-case ASCII letters, so any name made from them satisfies the name
patterns of Bedrock, Personalize and SageMaker jobs and S3 buckets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Nouns and adjectives of the kind data pipelines name their jobs after.
WORDS = (
    "account", "active", "agent", "alpha", "amber", "analysis", "anchor", "annual",
    "archive", "arrow", "atlas", "audit", "autumn", "backfill", "badge", "balance",
    "basket", "batch", "beacon", "billing", "birch", "bridge", "bronze", "budget",
    "cabin", "canary", "candidate", "canvas", "capture", "cargo", "catalog", "cedar",
    "channel", "chart", "churn", "circle", "citrus", "claims", "cloud", "cluster",
    "cobalt", "comet", "compass", "coral", "cosmos", "coupon", "crane", "crystal",
    "daily", "dawn", "delta", "digest", "draft", "dune", "eagle", "echo",
    "ember", "engine", "event", "falcon", "feature", "feed", "fern", "fjord",
    "forecast", "forest", "fossil", "fresh", "galaxy", "garden", "gateway", "glacier",
    "golden", "granite", "graph", "harbor", "harvest", "hazel", "helix", "horizon",
    "hourly", "insight", "island", "ivory", "jasper", "journey", "juniper", "kernel",
    "lagoon", "lantern", "ledger", "lemon", "lighthouse", "linden", "lotus", "lunar",
    "maple", "marble", "market", "meadow", "member", "meteor", "mosaic", "monthly",
    "nebula", "nightly", "north", "nova", "oasis", "ocean", "olive", "onyx",
    "orbit", "orchard", "order", "pacific", "panda", "pebble", "pepper", "pilot",
    "pine", "pixel", "planet", "prairie", "prism", "product", "profile", "pulse",
    "quarry", "quartz", "quiet", "rapid", "raven", "refresh", "region", "relay",
    "retail", "review", "ridge", "river", "rocket", "sable", "saffron", "sample",
    "scout", "season", "segment", "sentiment", "shadow", "signal", "silver", "sparrow",
    "spring", "spruce", "summit", "sunset", "survey", "tango", "terra", "thunder",
    "ticket", "timber", "topaz", "trend", "tulip", "tundra", "umber", "upsell",
    "valley", "vector", "velvet", "venture", "vista", "voyage", "walnut", "weekly",
    "willow", "window", "winter", "yonder", "zenith", "zephyr",
)  # fmt: skip

FIRST_NAMES = (
    "aaron", "alice", "amara", "ana", "ben", "carlos", "chen", "chloe", "david", "diana",
    "elena", "emma", "farah", "felix", "grace", "hana", "hugo", "ines", "ivan", "james",
    "jin", "julia", "kai", "kofi", "laura", "leo", "lina", "lucas", "maya", "mei",
    "nadia", "noah", "olga", "omar", "priya", "raj", "rosa", "sam", "sara", "tom",
    "uma", "victor", "wei", "yara", "yuki", "zoe",
)  # fmt: skip

LAST_NAMES = (
    "adams", "ali", "baker", "becker", "brown", "campbell", "chen", "costa", "cruz",
    "davis", "diaz", "evans", "fischer", "garcia", "gupta", "hall", "ito", "jensen",
    "kim", "kowalski", "lee", "lopez", "martin", "meyer", "miller", "mori", "nguyen",
    "novak", "okafor", "park", "patel", "perez", "reyes", "rossi", "sato", "schmidt",
    "silva", "singh", "smith", "tanaka", "taylor", "walker", "wang", "wilson", "young",
)  # fmt: skip

STEMS = 100
TEAMS = 12
ROLES = 6


@dataclass(frozen=True)
class NamePools:
    """One factory's words: job name stems, team handles (bucket prefixes) and IAM
    role names, drawn once from its seed."""

    stems: list[str]
    teams: list[str]
    roles: list[str]

    @classmethod
    def draw(cls, rng: random.Random) -> NamePools:
        stems = sorted(rng.sample(WORDS, STEMS))
        teams = [_handle(rng) for _ in range(TEAMS)]
        roles = [
            "".join(word.capitalize() for word in rng.sample(WORDS, 2)) + "BatchInferenceRole"
            for _ in range(ROLES)
        ]
        return cls(stems, teams, roles)


def _handle(rng: random.Random) -> str:
    """A user-name-like handle (``mchen``, ``laurasilva``, ``omarp42``), at most 20
    lower-case letters and digits."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    shape = rng.randrange(3)
    if shape == 0:
        return (first[0] + last)[:20]
    if shape == 1:
        return (first + last)[:20]
    return f"{first}{last[0]}{rng.randrange(10, 100)}"[:20]
