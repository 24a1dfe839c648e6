"""Settings of one linkage run."""

from __future__ import annotations

from dataclasses import dataclass, field

from .blocking import DEDUPE_CAPS, DEDUPE_RULES, RULES


@dataclass(frozen=True)
class LinkConfig:
    #: A link at or above ``upper`` is a ``match`` (applied without a field check); between
    #: ``lower`` and ``upper`` it goes to the review queue (coktas); below: no link. ``None``
    #: (the default): chosen per run from the probabilities (``decide.choose_thresholds``):
    #: ``upper`` the lowest probability at which the expected share of wrong links among the
    #: matches, mean(1 - p) over them, stays within ``1 - target_precision`` (never below
    #: ``upper_floor``); ``lower`` the lowest that keeps the review queue within
    #: ``review_budget`` (a share of the feed rows; never below ``lower_floor``). A number given
    #: here overrides the choice. The expected share is only as good as the probabilities are
    #: calibrated; the chosen thresholds are reported in ``LinkResult.thresholds``.
    upper: float | None = None
    lower: float | None = None
    target_precision: float = 0.999
    review_budget: float = 0.02
    #: A match needs at least 9:1 odds whatever the target (probabilities that are too
    #: confident could otherwise pull the threshold down to a coin toss).
    upper_floor: float = 0.9
    #: Nothing below this probability is worth a field officer's visit.
    lower_floor: float = 0.5
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
    #: Random feed x roll pairs used to estimate u probabilities, and the most pairs sharing a
    #: birth date that train m in the same-day session.
    u_sample: int = 50_000
    #: Per-agency NIK m: pull toward the pooled m, in pseudo matched pairs (a source with this
    #: many matched training pairs gets half its own estimate, half the pooled one).
    group_prior_strength: float = 50.0
