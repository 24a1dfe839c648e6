"""Settings of one linkage run."""

from __future__ import annotations

from dataclasses import dataclass, field

from .blocking import DEDUPE_CAPS, DEDUPE_RULES, RULES


@dataclass(frozen=True)
class LinkConfig:
    #: A link at or above this probability is a ``match`` (applied without a field check).
    upper: float = 0.99
    #: Between ``lower`` and ``upper`` a link goes to the review queue (coktas); below: no link.
    lower: float = 0.5
    #: Blocking rules (see ``blocking``) and per-rule block-size caps.
    rules: tuple[str, ...] = RULES
    caps: dict = field(default_factory=dict)
    #: Blocking rules and caps of ``deduplicate`` (a self-join: see ``blocking.DEDUPE_RULES``).
    dedupe_rules: tuple[str, ...] = DEDUPE_RULES
    dedupe_caps: dict = field(default_factory=lambda: dict(DEDUPE_CAPS))
    #: Feed rows whose NIK finds exactly one roll record with an agreeing name and birth date
    #: skip the broader (name, date, desa) blocking rules: most rows, almost no work.
    cascade: bool = True
    #: Bounds of the name term-frequency adjustment, in bits.
    tf_min: float = -6.0
    tf_max: float = 3.0
    em_max_iter: int = 200
    #: Random feed x roll pairs used to estimate u probabilities (0: EM estimates u too).
    u_sample: int = 50_000
    #: Weight of those random pairs in the EM estimate of u, in pseudo-pairs.
    u_prior_strength: float = 1000.0
