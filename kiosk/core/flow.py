"""Which step follows which: a journey's steps and its transition table.  Plain Python.

A ``Flow`` is an ordered list of steps (each names the screen that shows it) and a table of
named transitions, ``(step, event) -> step``.  The event ``"next"`` goes to the following step
unless the table says otherwise.  Journey services move the citizen by raising events
(``core.advance("paid")``); screens never name a step.  Each journey module declares its own
flow next to its rules (``kiosk/journeys/<name>.py``).

A flow also names its *stages*: the parts of the journey a citizen sees, in order, each with a
short label ("Tờ khai") and the steps it covers.  The step indicator on every journey screen
("Bước 3/7 · Tờ khai", then what happens next) is numbered from them.  A stage marked
``optional`` (reading the chip when the citizen already identified; the fee when there is none)
counts while it may still come and once it was visited, not once it was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEXT = "next"


class FlowError(ValueError):
    pass


@dataclass(frozen=True)
class Stage:
    """A part of a journey the citizen sees: ``label`` is the message key of its short name."""

    label: str
    steps: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Progress:
    """Where a citizen is, for the step indicator: stage ``number`` of ``total`` (from 1), and
    the stage that comes next (None on the last)."""

    number: int
    total: int
    stage: Stage
    next: Stage | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    steps: tuple[str, ...]
    transitions: dict[tuple[str, str], str] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()

    def __post_init__(self) -> None:
        for (step, _event), target in self.transitions.items():
            for s in (step, target):
                if s not in self.steps:
                    raise FlowError(f"{self.name}: step {s} is not in the journey")
        seen: set[str] = set()
        for stage in self.stages:
            for s in stage.steps:
                if s not in self.steps:
                    raise FlowError(f"{self.name}: stage {stage.label} names step {s}, not in the journey")
                if s in seen:
                    raise FlowError(f"{self.name}: step {s} is in two stages")
                seen.add(s)

    def stage_of(self, step: str) -> int | None:
        """The index of the stage ``step`` belongs to, or None (a step no indicator shows)."""
        return next((i for i, stage in enumerate(self.stages) if step in stage.steps), None)

    def progress(self, step: str, visited=()) -> Progress | None:
        """The indicator for ``step``, given the steps ``visited`` on the way (for optional
        stages); None for a step outside every stage or a journey of one stage."""
        at = self.stage_of(step)
        if at is None:
            return None
        seen = set(visited) | {step}
        counted = [i for i, stage in enumerate(self.stages)
                   if not stage.optional or i > at or seen & set(stage.steps)]
        if len(counted) < 2:
            return None
        number = counted.index(at) + 1
        following = self.stages[counted[number]] if number < len(counted) else None
        return Progress(number, len(counted), self.stages[at], following)

    def target(self, step: str, event: str) -> str:
        target = self.transitions.get((step, event))
        if target is not None:
            return target
        if step not in self.steps:
            raise FlowError(f"{self.name}: step {step} is not in the journey")
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
        # the way taken, also behind a closed way back (the step indicator counts its stages)
        self.path: list[str] = [self.current]

    @property
    def steps(self) -> tuple[str, ...]:
        return self.flow.steps

    @property
    def progress(self) -> tuple[int, int]:
        """(step number from 1, number of steps) for a progress indicator."""
        return self.flow.steps.index(self.current) + 1, len(self.flow.steps)

    @property
    def stage(self) -> Progress | None:
        """Stage number, count and label of the current step (see ``Flow.progress``)."""
        return self.flow.progress(self.current, self.path)

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
        self.path.append(target)
        return target

    def back(self) -> str | None:
        """The previous step, or None when back leaves the journey (to the menu)."""
        if not self.history:
            return None
        self.current = self.history.pop()
        while len(self.path) > 1 and self.path[-1] != self.current:  # the way back undoes the way there
            self.path.pop()
        return self.current

    def close_way_back(self) -> None:
        """After an irreversible step (sent, paid, booked) there is no going back to edit."""
        self.history.clear()
