"""Synchronous data-parallel training on Dask workers: ``fit_data_parallel``.

With ``averaging_frequency=1`` every minibatch is split by example into contiguous shards, one
per worker in a fixed order (``numpy.array_split`` sizes). Each worker computes its shard's score
and gradient with the current parameters (for TBPTT from its shard's own carried state); the
client gathers them in one ``gather``, weighs each by its examples / the minibatch's (the score
divides by the minibatch size, so this is exactly the whole minibatch's gradient, regularisation
included once) and makes one update with the network's own Trainer: gradient normalisation,
updater and listeners as ``net.fit``. The parameters after every update equal ``net.fit``'s to
float rounding.

With ``averaging_frequency=k > 1`` (DL4J's parameter averaging) each worker fits its own shard
of each of k consecutive minibatches (the same shard position every time, as ``net.fit`` fits a
minibatch, from the round's parameters and updater state); then the parameters and the updater
state are set to their means weighted by the examples each worker saw (the updater's step count
to the largest), and the listeners get the round's last update number and the weighted mean of
the workers' last scores. A last round of fewer than k minibatches is trained and averaged too.

Communication per update (k = 1; per round for k > 1, with the updater state): the parameters
go to each worker with its task (one flat float vector), one gradient vector comes back from
each; the shards of an epoch are scattered to their workers once, before its first update. Each
worker keeps a network of the configuration (and its shards' TBPTT states) for the length of the
fit, under a key of that fit.

A worker lost mid-fit raises WorkerLostError (the tasks are pinned to their workers; the client
checks every second that they are all still there); ``net`` then holds the parameters of the last
completed update: an update is applied on the client only after every shard's gradient arrived.
"""
from __future__ import annotations

import uuid
from concurrent.futures import CancelledError

from distributed import wait

from workbench.backend import to_numpy
from workbench.data.batches import as_datasets
from workbench.errors import InvalidInputError, WorkerLostError

POLL_S = 1.0                # how often a wait for the workers' results checks that none has left

_FITS: dict = {}                 # in each worker: fit key -> {"net": network, "states": {shard: state}}


def shard_bounds(n: int, parts: int) -> list:
    """``(start, stop)`` of ``parts`` contiguous shards of ``n`` examples, sizes as
    ``numpy.array_split`` (the first ``n % parts`` one larger); empty shards are (i, i)."""
    base, extra, out, start = n // parts, n % parts, [], 0
    for i in range(parts):
        stop = start + base + (1 if i < extra else 0)
        out.append((start, stop))
        start = stop
    return out


def _shard_gradient(key: str, conf: dict, params, shard, position: int, t0: int, t1: int, first: bool):
    """In a worker: ``(score, grad copy as NumPy, examples)`` of steps t0..t1-1 of ``shard`` with
    the parameters ``params``; with TBPTT from this shard position's state (zeros when ``first``)."""
    from workbench.nn.training import Trainer
    net, fit = _network(key, conf), _FITS[key]
    net.set_params_vector(net.xp.asarray(params))
    batch = net.dataset_batch(shard, f"fit_data_parallel: shard {position}")
    state = None if first else fit["states"].get(position)
    score, grad, end = Trainer(net).gradient(batch, t0, t1, state)
    fit["states"][position] = end
    return score, to_numpy(grad).copy(), shard.num_examples()


def _fit_round(key: str, conf: dict, params, updater: dict, shards: list, first_batch: int):
    """In a worker: fit this worker's shards of a round's minibatches one after another (each as
    ``net.fit`` fits a minibatch, TBPTT segments included) from ``params`` and updater state
    ``updater``; returns ``(params, updater state, examples seen, last score, updates made)`` as NumPy."""
    from workbench.nn.training import Trainer
    net = _network(key, conf)
    net.set_params_vector(net.xp.asarray(params))
    net.updater.load_state_dict(updater)
    trainer, score, updates, seen = Trainer(net), None, 0, 0
    for i, shard in enumerate(shards):
        before = net.iteration_count
        trainer.fit_batch(shard, first_batch + i)
        updates += net.iteration_count - before
        score, seen = net.last_score, seen + shard.num_examples()
    state = _host_state(net)
    return to_numpy(net.params_vector()).copy(), state, seen, score, updates


def _host_state(net) -> dict:
    """``net``'s updater state as NumPy copies (and its step count): what crosses the network."""
    return {k: to_numpy(v).copy() if hasattr(v, "shape") else v for k, v in net.updater.state_dict().items()}


def _network(key: str, conf: dict):
    """This worker's network of fit ``key`` (made on first use)."""
    from workbench.conf import MultiLayerConfiguration
    from workbench.nn import MultiLayerNetwork
    fit = _FITS.get(key)
    if fit is None:
        fit = _FITS[key] = {"net": MultiLayerNetwork(MultiLayerConfiguration.from_dict(conf)).init(), "states": {}}
    return fit["net"]


def _forget(key: str) -> None:
    _FITS.pop(key, None)


class _Fit:
    """One fit_data_parallel call: the client's network and Trainer, and the workers it uses."""

    def __init__(self, net, client, listeners):
        from workbench.nn.training import Trainer
        self.net, self.client = net, client
        self.trainer = Trainer(net, listeners)
        self.workers = sorted(client.scheduler_info()["workers"])
        if not self.workers:
            raise InvalidInputError("fit_data_parallel: the cluster has no workers")
        self.key, self.conf = f"workbench-fit-{uuid.uuid4().hex}", net.conf.to_dict()

    def scatter(self, datasets: list) -> list:
        """Per minibatch: [(worker, shard future, examples)] of its non-empty shards, scattered once."""
        out = []
        for ds in datasets:
            shards = [(w, ds.examples(a, b), b - a) for w, (a, b) in
                      zip(self.workers, shard_bounds(ds.num_examples(), len(self.workers))) if b > a]
            futures = [self.client.scatter(shard, workers=[w], hash=False) for w, shard, _ in shards]
            out.append([(w, f, n) for (w, _, n), f in zip(shards, futures)])
        return out

    def update(self, shards: list, batch_index: int, segment: int, t0: int, t1: int) -> None:
        """One update of one minibatch's (segment of) steps from every shard's gradient."""
        params = to_numpy(self.net.params_vector()).copy()      # sent as it is now, whatever comes later
        futures = [self.client.submit(_shard_gradient, self.key, self.conf, params, f, i, t0, t1, segment == 0,
                                      workers=[w], allow_other_workers=False, pure=False)
                   for i, (w, f, _) in enumerate(shards)]
        results = self._gather(futures, [w for w, _, _ in shards])
        total = sum(n for _, _, n in results)
        xp = self.net.xp
        grad = xp.zeros(self.net.num_params(), dtype=self.net.params_vector().dtype)
        score = 0.0
        for s, g, n in results:
            grad += xp.asarray(g) * (n / total)
            score += s * (n / total)
        self.trainer.apply(score, grad, {"batch": batch_index, "segment": segment, "time_range": (t0, t1)})

    def average(self, rounds: list, first_batch: int, epoch_shards: list) -> None:
        """One averaging round over the minibatches ``rounds`` (their scattered shards): each worker
        fits its shard of each from the current parameters and updater state; then both are set to
        the example-weighted mean of the workers', and the listeners get the weighted mean score."""
        net = self.net
        params = to_numpy(net.params_vector()).copy()
        updater = _host_state(net)
        per_worker = {}                               # worker -> its shard of each minibatch (same position)
        for shards in epoch_shards:
            for w, f, _ in shards:
                per_worker.setdefault(w, []).append(f)
        futures, workers = [], []
        for w, fs in sorted(per_worker.items()):
            futures.append(self.client.submit(_fit_round, self.key, self.conf, params, updater, fs, first_batch,
                                              workers=[w], allow_other_workers=False, pure=False))
            workers.append(w)
        results = self._gather(futures, workers)
        total, xp = sum(r[2] for r in results), net.xp
        mean = xp.zeros_like(net.params_vector())
        state = {k: xp.zeros_like(v) for k, v in net.updater.arrays.items()}
        score = 0.0
        for p, u, seen, last, _ in results:
            w = seen / total
            mean += xp.asarray(p) * w
            for k in state:
                state[k] += xp.asarray(u[k]) * w
            score += last * w
        net.set_params_vector(mean)
        net.updater.load_state_dict({**state, "t": max(r[1]["t"] for r in results)})
        updates = max(r[4] for r in results)
        net.iteration_count += updates
        net.last_score = score
        info = {"batch": first_batch + len(rounds) - 1, "segment": 0, "round_batches": len(rounds)}
        for listener in self.trainer.listeners:
            listener(net.iteration_count - 1, net.epoch_count, score, info)

    def _gather(self, futures, workers):
        """The results of ``futures``; WorkerLostError as soon as one of ``workers`` has left, or
        the scheduler cancelled a task (it does when the worker running it, or holding its shard,
        is lost; this fit cancels none itself)."""
        while True:
            try:
                with self.client.as_current():            # wait() takes the current client
                    wait(futures, timeout=POLL_S)         # raises TimeoutError while some still run
                return self.client.gather(futures)
            except TimeoutError:
                pass
            except CancelledError:
                self._lost(workers, futures, cancelled=True)
                raise
            self._lost(workers, futures)

    def _lost(self, workers, futures, cancelled=False):
        """Raise WorkerLostError when one of ``workers`` has left the cluster (or ``cancelled``)."""
        lost = sorted(set(workers) - set(self.client.ncores()))      # asks the scheduler now
        if lost or cancelled:
            for f in futures:
                f.cancel()
            who = f"worker {lost[0]} left the cluster" if lost else "the scheduler cancelled its tasks (a worker left)"
            raise WorkerLostError(f"fit_data_parallel: {who} during update {self.net.iteration_count}; the network "
                                  "keeps the parameters of the last completed update")

    def close(self):
        """Drop this fit's networks and states from the workers still there."""
        alive = set(self.client.ncores())
        self.client.run(_forget, self.key, workers=[w for w in self.workers if w in alive])


def fit_data_parallel(net, data, client, epochs: int = 1, averaging_frequency: int = 1, listeners=None):
    """Train ``net`` in place on the workers of ``client`` (see the module docstring); returns it.
    ``data`` as ``net.fit`` takes it; ``listeners`` run on the client after every update."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise InvalidInputError(f"fit_data_parallel: epochs must be an int >= 1, got {epochs!r}")
    if isinstance(averaging_frequency, bool) or not isinstance(averaging_frequency, int) or averaging_frequency < 1:
        raise InvalidInputError(f"fit_data_parallel: averaging_frequency must be an int >= 1, got "
                                f"{averaging_frequency!r}")
    if epochs > 1 and not hasattr(data, "features") and not hasattr(data, "reset") and iter(data) is data:
        raise InvalidInputError("fit_data_parallel: data is a one-shot iterator and would be empty after the first "
                                "epoch; pass a list of DataSets or an iterator with reset()")
    fit = _Fit(net, client, listeners)
    once = hasattr(data, "features") or isinstance(data, (list, tuple))     # the same minibatches every epoch
    first_iteration = net.iteration_count
    try:
        scattered = None
        for epoch in range(epochs):
            datasets = list(as_datasets(data, "fit_data_parallel"))
            if not datasets:
                raise InvalidInputError("fit_data_parallel: data holds no minibatches; nothing was trained")
            if scattered is None or not once:
                scattered = fit.scatter(datasets)
            if averaging_frequency == 1:
                for batch_index, (ds, shards) in enumerate(zip(datasets, scattered)):
                    batch = net.dataset_batch(ds, f"fit_data_parallel: minibatch {batch_index}")
                    for segment, (t0, t1) in enumerate(fit.trainer.segments(batch)):
                        fit.update(shards, batch_index, segment, t0, t1)
            else:
                for first in range(0, len(datasets), averaging_frequency):
                    chunk = slice(first, first + averaging_frequency)
                    fit.average(datasets[chunk], first, scattered[chunk])
            net.epoch_count += 1
    finally:
        fit.close()
        if net.iteration_count != first_iteration:
            net.rnn_clear_previous_state()
    return net

