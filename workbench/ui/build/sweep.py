"""The Build tab's sweep: the values to try for some fields of the network being built, launched
as one kept run per combination on the workers (``WorkbenchSession.start_sweep``). No Panel here.

``fields`` holds one row per field swept: ``{"field": path, "values": text}`` with the path as
:func:`workbench.distributed.sweep` names it (``"updater.lr"``, ``"layers.0.n_out"``) and the
values as typed ("0.003, 0.01, 0.03"). Every change re-reads them: ``space`` (path -> values) and
``plan`` ("3 × 2 = 6 runs") while they read, ``problem`` saying what is wrong while they do not.
``launch()`` starts the runs and sets ``launched`` to the sweep's name (the app then shows that
sweep in the Runs tab)::

    s = SweepState(session)              # a session with runs (a RunService)
    s.add_field("updater.lr", "0.003, 0.01, 0.03")
    s.add_field("layers.0.n_out", "16, 32")
    s.plan, s.launch()                   # '3 × 2 = 6 runs', the run ids
"""
from __future__ import annotations

import math
import re

import param

from workbench.errors import InvalidInputError
from workbench.ui.messages import Messages

SKIPPED = ("n_in", "format_version")       # numbers of the configuration that are not choices to sweep
ALWAYS = ("seed",)                         # swept even while None (a random seed)


def sweepable(conf) -> dict:
    """The numeric fields of ``conf`` a sweep can set, path -> current value: every int or float
    of ``conf.to_dict()`` but the input type, ``n_in`` and the output layer's ``n_out`` (the
    data's), and the seed; ``{}`` for None."""
    if conf is None:
        return {}
    d = conf.to_dict()
    out = {}

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in SKIPPED:
                    walk(value, f"{path}{key}.")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}{i}.")
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out[path[:-1]] = node

    walk({k: v for k, v in d.items() if k not in ("input_type", "input_preprocessors")}, "")
    out.pop(f"layers.{len(d['layers']) - 1}.n_out", None)
    for name in ALWAYS:
        out.setdefault(name, d.get(name))
    return out


def parse_values(path: str, text: str, current) -> list:
    """The values typed for field ``path`` ("0.1, 0.01" or "16 32"), as ints when the field's
    ``current`` value is an int (or None: the seed), else floats; distinct, in the order typed."""
    items = [t for t in re.split(r"[,;\s]+", str(text).strip()) if t]
    if not items:
        raise InvalidInputError(f"sweep: type the values to try for {path} (e.g. "
                                f"{_suggestion(path, current)})")
    values = []
    for item in items:
        try:
            value = int(item) if isinstance(current, int) or current is None else float(item)
        except ValueError:
            kind = "a whole number" if isinstance(current, int) or current is None else "a number"
            raise InvalidInputError(f"sweep: {path}: {item!r} is not {kind}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInputError(f"sweep: {path}: {item!r} is not a finite number")
        if value not in values:
            values.append(value)
    return values


def _suggestion(path: str, current) -> str:
    """Values around ``current`` to start from: "16, 32, 64" for 32, "0.002, 0.02, 0.2" for 0.02."""
    if current is None or (isinstance(current, int) and path.endswith("seed")):
        base = 1 if current is None else current
        return ", ".join(str(base + k) for k in range(3))
    if isinstance(current, int):
        return ", ".join(str(max(1, v)) for v in (current // 2, current, current * 2))
    if current == 0:
        return "0, 0.0001, 0.001"
    return ", ".join(f"{current * f:g}" for f in (0.1, 1, 10))


class SweepState(Messages):
    """The fields swept and their values, for ``session`` (its ``conf`` and ``runs``); see the
    module docstring. ``message`` says the result of the latest launch."""

    session = param.Parameter(doc="the app's WorkbenchSession")
    fields = param.List([], doc='one dict per field swept: {"field": path, "values": text}')
    n_samples = param.Integer(None, allow_None=True, bounds=(1, None),
                              doc="train this many combinations drawn at random (None: every combination)")
    epochs = param.Integer(5, bounds=(1, 100_000), doc="epochs of each run")
    sweep_name = param.String("", label="name", doc='the sweep\'s name ("": "sweep <k>")')
    space = param.Dict({}, doc="path -> values, while the fields read")
    plan = param.String("", doc='what launch() would start: "3 × 2 = 6 runs"')
    problem = param.String("", doc="why launch() cannot start now ('' when it can)")
    launched = param.String("", doc="the name of the sweep launched last (set, even to the same value, on "
                                    "every launch)")

    def __init__(self, session, **params):
        super().__init__(session=session, **params)
        self.session.param.watch(lambda _: self._check(), ["conf", "runs"])
        self._check()

    @property
    def options(self) -> dict:
        """The fields that can be swept now, path -> current value (see :func:`sweepable`)."""
        return sweepable(self.session.conf)

    # ---- actions ----
    def add_field(self, path: str | None = None, values: str | None = None) -> None:
        """Sweep ``path`` too (default: the first field not yet swept) over ``values`` (default:
        three around its current value)."""
        options = self.options
        taken = {f["field"] for f in self.fields}
        if path is None:
            path = next((p for p in options if p not in taken), None)
            if path is None:
                raise InvalidInputError("sweep: every field that can be swept already is")
        self._known(path, options)
        self._not_taken(path)
        self.fields = [*self.fields, {"field": path, "values": _suggestion(path, options[path]) if values is None
                                      else str(values)}]

    def set_field(self, i: int, path: str) -> None:
        """Row ``i`` sweeps ``path`` instead, from three values around its current value."""
        self._known(path, self.options)
        self._row(i)
        if self.fields[i]["field"] == path:
            return
        self._not_taken(path)
        self.fields = [{"field": path, "values": _suggestion(path, self.options[path])} if k == i else f
                       for k, f in enumerate(self.fields)]

    def set_values(self, i: int, text: str) -> None:
        self._row(i)
        self.fields = [{**f, "values": str(text)} if k == i else f for k, f in enumerate(self.fields)]

    def remove_field(self, i: int) -> None:
        self._row(i)
        self.fields = [f for k, f in enumerate(self.fields) if k != i]

    def launch(self) -> list:
        """Start one run per point on the workers; returns their ids (``[]`` and an error said
        when it cannot start). Points left out (invalid, or not fitting the data) are said."""
        if self.problem:
            self.say(f"Cannot launch the sweep: {self.problem}", "error")
            return []
        try:
            name, runs, left_out = self.session.start_sweep(self.space, self.epochs, self.n_samples,
                                                            name=self.sweep_name or None)
        except Exception as exc:                       # never a traceback in the page
            self.say(f"Could not launch the sweep: {exc}", "error")
            return []
        skipped = "; ".join(f"{', '.join(f'{k}={v}' for k, v in p.items())}: {why}" for p, why in left_out)
        if not runs:
            self.say(f"No run started: every point is left out ({skipped}).", "error")
            return []
        ids = [run.run_id for run in runs]
        text = (f"Launched {name}: {len(ids)} runs (#{ids[0]}–#{ids[-1]}), {self.epochs} epochs each, on the "
                f"workers; the Runs tab compares them.")
        self.say(text + (f" Left out: {skipped}." if skipped else ""), "warning" if skipped else "success")
        with param.parameterized.discard_events(self):
            self.launched = name
        self.param.trigger("launched")                 # the same name again still shows it
        return ids

    # ---- checking ----
    def _known(self, path: str, options: dict) -> None:
        if path not in options:
            raise InvalidInputError(f"sweep: {path!r} is not a field of this network that can be swept; "
                                    f"choose one of {', '.join(options)}")

    def _not_taken(self, path: str) -> None:
        taken = [f["field"] for f in self.fields]
        if path in taken:
            raise InvalidInputError(f"sweep: {path} is swept already (row {taken.index(path) + 1})")

    def _row(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.fields):
            raise IndexError(f"sweep row {i!r} out of range: {len(self.fields)} fields are swept")

    @param.depends("fields", "n_samples", watch=True)
    def _check(self) -> None:
        space, problem, options = {}, "", self.options
        try:
            if self.session.runs is None:
                raise InvalidInputError("this session keeps no runs: sweeps train on the workers of the app "
                                        "(`make run`, or WorkbenchSession(runs=RunService()))")
            if self.session.conf is None:
                raise InvalidInputError("the network is not valid (see above)")
            if not self.fields:
                raise InvalidInputError("add a field to sweep")
            for f in self.fields:
                self._known(f["field"], options)
                space[f["field"]] = parse_values(f["field"], f["values"], options[f["field"]])
        except InvalidInputError as exc:
            problem = str(exc).removeprefix("sweep: ")
        sizes = [len(v) for v in space.values()]
        total = math.prod(sizes) if sizes else 0
        if not problem and self.n_samples is not None and self.n_samples > total:
            problem = f"a random sample of {self.n_samples} is more than the {total} combinations"
        plan = "" if problem else " × ".join(map(str, sizes)) + f" = {total} runs" if len(sizes) > 1 \
            else f"{total} runs"
        if not problem and self.n_samples is not None:
            plan = f"{self.n_samples} of {total} combinations, drawn at random"
        self.param.update(space={} if problem else space, plan=plan, problem=problem)
