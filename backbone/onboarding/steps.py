"""The steps of the guided start, in order: from nothing to a first recap NAG email."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    # What the step builds on: the progress field an earlier step fills ("" when nothing).
    needs: str = ""

    @property
    def url_name(self) -> str:
        return f"onboarding_{self.key}"


INITIATIVE = "initiative"
RESULT = "result"
STRATEGIES = "strategies"
WORKGROUP = "workgroup"
MEETING = "meeting"
COMMITMENTS = "commitments"
RECAP = "recap"

STEPS: tuple[Step, ...] = (
    Step(INITIATIVE, _("Name the initiative and its North Star")),
    Step(RESULT, _("Add a result and its first indicator"), needs="initiative"),
    Step(STRATEGIES, _("Add strategies"), needs="result"),
    Step(WORKGROUP, _("Create a workgroup and add people"), needs="initiative"),
    Step(MEETING, _("Schedule its first meeting"), needs="workgroup"),
    Step(COMMITMENTS, _("Capture commitments and close the meeting"), needs="meeting"),
    Step(RECAP, _("See the recap email"), needs="meeting"),
)
BY_KEY = {step.key: step for step in STEPS}
# The step that makes what a later step needs.
MADE_BY = {"initiative": INITIATIVE, "result": RESULT, "workgroup": WORKGROUP, "meeting": MEETING}
KEYS = tuple(step.key for step in STEPS)


def number_of(key: str) -> int:
    return KEYS.index(key) + 1


def after(key: str) -> str | None:
    """The key of the step after `key`, or None after the last one."""
    index = KEYS.index(key) + 1
    return KEYS[index] if index < len(KEYS) else None
