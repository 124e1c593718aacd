"""Hyperparameter sweeps on Dask workers: ``sweep`` and ``sweep_iter``.

``space`` maps configuration field paths to the values to try: dot-separated field names of the
configuration with integer list indices (``"updater.lr"``, ``"tbptt_fwd_length"``,
``"layers.0.n_out"``, ``"layers.1.layer.n_out"`` inside a wrapper), as ``conf.to_dict()`` names
them. Without ``n_samples`` every combination is trained (``itertools.product`` over the keys in
the order given); with ``n_samples``, that many distinct combinations drawn at random with
``seed``. Each point trains on a worker exactly as
``MultiLayerNetwork(conf).init().fit(train, epochs)`` would in one process; the data are
scattered once and shared by every point. A point whose configuration is invalid, or whose
training fails, is a result with its ``error``: it never stops the others.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from pathlib import Path

from distributed import as_completed

from workbench.errors import InvalidInputError, WorkbenchError


@dataclass
class SweepResult:
    """One point of a sweep: ``params`` (path -> value), ``conf`` (None when invalid), ``history``
    (the score after every update), ``evaluation`` (on the test data, or None) and ``error``
    (None, or a message naming the problem)."""

    params: dict
    conf: object = None
    history: list = None
    evaluation: object = None
    error: str | None = None


def points(space: dict, n_samples: int | None = None, seed: int = 0) -> list:
    """The combinations to train: dicts path -> value, every one or ``n_samples`` distinct ones."""
    if not isinstance(space, dict) or not space:
        raise InvalidInputError(f"sweep: space must be a non-empty dict of field path -> list of values, got "
                                f"{space!r}")
    for path, values in space.items():
        if not isinstance(path, str) or isinstance(values, (str, bytes)) or not hasattr(values, "__len__") \
                or len(values) == 0:
            raise InvalidInputError(f"sweep: space[{path!r}] must be a non-empty list of values, got {values!r}")
    keys = list(space)
    grid = [dict(zip(keys, combo)) for combo in itertools.product(*(list(space[k]) for k in keys))]
    if n_samples is None:
        return grid
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or not 1 <= n_samples <= len(grid):
        raise InvalidInputError(f"sweep: n_samples must be an int in [1, {len(grid)}] (the distinct combinations "
                                f"of space), got {n_samples!r}")
    return random.Random(seed).sample(grid, n_samples)


def with_fields(conf, params: dict):
    """``conf`` with each path of ``params`` set (a new configuration, validated); a bad path or
    value raises a WorkbenchError naming it."""
    from workbench.conf import MultiLayerConfiguration
    d = conf.to_dict()
    for path, value in params.items():
        node, parts = d, path.split(".")
        for part in parts[:-1]:
            node = _child(node, part, path)
        last = parts[-1]
        if isinstance(node, list) or last not in node:
            raise InvalidInputError(f"sweep: {path!r} names no field of the configuration (at {last!r})")
        node[last] = value
    return MultiLayerConfiguration.from_dict(d)


def point_name(name: str, params: dict) -> str:
    """A point's run name: "sweep 2: updater.lr=0.01, layers.0.n_out=32"."""
    return f"{name}: " + ", ".join(f"{k}={v}" for k, v in params.items())


def _child(node, part: str, path: str):
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            raise InvalidInputError(f"sweep: {path!r}: {part!r} is not an index below {len(node)}")
        return node[int(part)]
    if not isinstance(node, dict) or not isinstance(node.get(part), (dict, list)):
        raise InvalidInputError(f"sweep: {path!r} names no field of the configuration (at {part!r})")
    return node[part]


def _train_point(conf_dict: dict, train, test, epochs: int, store_path=None, run_id=None):
    """In a worker: (history, evaluation as a dict or None, error or None) of one point; with
    ``store_path``, also kept as run ``run_id`` of that run store (every update with its step
    counts, the evaluation, the final model, the status)."""
    from workbench.conf import MultiLayerConfiguration
    from workbench.eval import evaluate
    from workbench.nn import MultiLayerNetwork
    from workbench.nn.trainer import WatchedData, step_info
    history, writer, net = [], None, None
    watched = WatchedData(train)

    def listener(i, e, score, info):
        history.append(float(score))
        if writer is not None:
            info.update(step_info(net, watched.current, *info["time_range"]))
            writer.append_update(i, e, score, info)
    try:
        if store_path is not None:
            from workbench.runs import RunWriter
            writer = RunWriter(Path(store_path), run_id, flush_seconds=0.5)
            writer.set_status("running")
        net = MultiLayerNetwork(MultiLayerConfiguration.from_dict(conf_dict)).init()
        net.fit(watched, epochs=epochs, listeners=[listener])
        loss = getattr(net.conf.built_layers[-1], "loss", None)
        ev = None if test is None else evaluate(net, test, "regression" if loss in ("mse", "l1") else "classification")
        result = history, None if ev is None else ev.to_dict(), None
    except Exception as exc:                                # noqa: BLE001 - a failed point is a result
        ev, result = None, (history, None, f"{type(exc).__name__}: {exc}")
    if writer is not None:
        from workbench.runs import evaluation_metrics
        try:
            if ev is not None:
                writer.append_epoch(net.epoch_count - 1, evaluation_metrics(ev), ev)
            if net is not None and result[2] is None:
                writer.attach_model(net)
            writer.set_status("failed" if result[2] else "finished", result[2])
        finally:
            writer.close()
    return result


def sweep_iter(conf, space, train, test=None, client=None, epochs: int = 1, n_samples: int | None = None,
               seed: int = 0, store=None, name: str = "sweep"):
    """Yield a SweepResult per point as each finishes (invalid points first). With ``store`` (a
    RunStore, or its path) each valid point is also a run there, named ``name`` and its values,
    with the task "sweep" and ``settings["sweep"] == name`` (the Runs tab compares them)."""
    for _, result in _finished(conf, space, train, test, client, epochs, n_samples, seed, store, name):
        yield result


def _finished(conf, space, train, test, client, epochs, n_samples, seed, store=None, name="sweep"):
    """(point index, SweepResult) as each point finishes; ``client`` None: a cluster of its own."""
    from workbench.distributed.cluster import connect
    from workbench.eval import evaluation_from_dict
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise InvalidInputError(f"sweep: epochs must be an int >= 1, got {epochs!r}")
    chosen = points(space, n_samples, seed)
    if store is not None and not hasattr(store, "create_run"):
        from workbench.runs import RunStore
        store = RunStore(store)
    own = client is None
    client = connect() if own else client
    try:
        train_f = client.scatter(train, broadcast=True, hash=False)   # once, for every point
        test_f = None if test is None else client.scatter(test, broadcast=True, hash=False)
        pending = {}
        for index, params in enumerate(chosen):
            try:
                point_conf = with_fields(conf, params)
            except WorkbenchError as exc:
                yield index, SweepResult(dict(params), None, [], None, str(exc))
                continue
            kept = None if store is None else (str(store.path), store.create_run(
                point_name(name, params), "sweep", point_conf,
                {"epochs": epochs, "sweep": name, "params": dict(params)}, seed=point_conf.seed))
            future = client.submit(_train_point, point_conf.to_dict(), train_f, test_f, epochs, *(kept or ()),
                                   pure=False)
            pending[future] = (index, dict(params), point_conf)
        if pending:
            with client.as_current():                  # as_completed takes the current client
                finishing = as_completed(list(pending), with_results=True)
            for future, (history, evaluation, error) in finishing:
                index, params, point_conf = pending[future]
                yield index, SweepResult(params, point_conf, history,
                                         None if evaluation is None else evaluation_from_dict(evaluation), error)
    finally:
        if own:
            client.close()


def sweep(conf, space, train, test=None, client=None, epochs: int = 1, n_samples: int | None = None,
          seed: int = 0, store=None, name: str = "sweep") -> list:
    """Every point's SweepResult, in the order of the points (see the module docstring and
    :func:`sweep_iter` for ``store``)."""
    finished = _finished(conf, space, train, test, client, epochs, n_samples, seed, store, name)
    return [r for _, r in sorted(finished, key=lambda pair: pair[0])]
