"""Which step follows which: a journey's steps and its transition table.  Plain Python.

A ``Flow`` is an ordered list of steps (each names the screen that shows it) and a table of
named transitions, ``(step, event) -> step``.  The event ``"next"`` goes to the following step
unless the table says otherwise.  Journey services move the citizen by raising events
(``core.advance("paid")``); screens never name a step.  Each journey module declares its own
flow next to its rules (``kiosk/journeys/<name>.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEXT = "next"


class FlowError(ValueError):
    pass


@dataclass(frozen=True)
class Flow:
    name: str
    steps: tuple[str, ...]
    transitions: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (step, _event), target in self.transitions.items():
            for s in (step, target):
                if s not in self.steps:
                    raise FlowError(f"{self.name}: step {s} is not in the journey")

    def target(self, step: str, event: str) -> str:
        target = self.transitions.get((step, event))
        if target is not None:
            return target
        if event == NEXT:
            at = self.steps.index(step)
            if at + 1 >= len(self.steps):
                raise FlowError(f"{self.name}: already at the last step")
            return self.steps[at + 1]
        raise FlowError(f"{self.name}: no transition {event!r} from {step}")


class Journey:
    """One citizen's way through a flow: where they are and the way back."""

    def __init__(self, flow: Flow):
        self.flow = flow
        self.name = flow.name
        self.current = flow.steps[0]
        self.history: list[str] = []

    @property
    def steps(self) -> tuple[str, ...]:
        return self.flow.steps

    @property
    def progress(self) -> tuple[int, int]:
        """(step number from 1, number of steps) for a progress indicator."""
        return self.flow.steps.index(self.current) + 1, len(self.flow.steps)

    def can(self, event: str) -> bool:
        try:
            self.flow.target(self.current, event)
        except FlowError:
            return False
        return True

    def advance(self, event: str = NEXT) -> str:
        target = self.flow.target(self.current, event)
        self.history.append(self.current)
        self.current = target
        return target

    def back(self) -> str | None:
        """The previous step, or None when back leaves the journey (to the menu)."""
        if not self.history:
            return None
        self.current = self.history.pop()
        return self.current

    def close_way_back(self) -> None:
        """After an irreversible step (sent, paid, booked) there is no going back to edit."""
        self.history.clear()
