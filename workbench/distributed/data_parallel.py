"""Synchronous data-parallel training on Dask workers: ``fit_data_parallel``.

With ``averaging_frequency=1`` every minibatch is split by example into contiguous shards, one
per worker in a fixed order (``numpy.array_split`` sizes). Each worker computes its shard's score
and gradient with the current parameters (for TBPTT from its shard's own carried state); the
client gathers them in one ``gather``, weighs each by its examples / the minibatch's (the score
divides by the minibatch size, so this is exactly the whole minibatch's gradient, regularisation
included once) and makes one update with the network's own Trainer: gradient normalisation,
updater and listeners as ``net.fit``. The parameters after every update equal ``net.fit``'s to
float rounding.

Communication per update: the parameters go to each worker with its task (one flat float
vector), one gradient vector comes back from each; the shards of an epoch are scattered to their
workers once, before its first update. Each worker keeps a network of the configuration (and its
shards' TBPTT states) for the length of the fit, under a key of that fit.

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
    from workbench.conf import MultiLayerConfiguration
    from workbench.nn import MultiLayerNetwork
    from workbench.nn.training import Trainer
    fit = _FITS.get(key)
    if fit is None:
        fit = _FITS[key] = {"net": MultiLayerNetwork(MultiLayerConfiguration.from_dict(conf)).init(), "states": {}}
    net = fit["net"]
    net.set_params_vector(net.xp.asarray(params))
    batch = net.dataset_batch(shard, f"fit_data_parallel: shard {position}")
    state = None if first else fit["states"].get(position)
    score, grad, end = Trainer(net).gradient(batch, t0, t1, state)
    fit["states"][position] = end
    return score, to_numpy(grad).copy(), shard.num_examples()


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

    def _gather(self, futures, workers):
        """The results of ``futures``; WorkerLostError as soon as one of ``workers`` has left, or
        the scheduler cancelled a task (it does when the worker running it, or holding its shard,
        is lost; this fit cancels none itself)."""
        while True:
            try:
                with self.client.as_current():            # wait() takes the current client
                    done, _ = wait(futures, timeout=1.0)
                if len(done) == len(futures):
                    return self.client.gather(futures)
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
    if averaging_frequency != 1:
        raise InvalidInputError(f"fit_data_parallel: averaging_frequency must be 1 (gradient sharing), got "
                                f"{averaging_frequency!r}; parameter averaging (k > 1) is not built yet")
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
            for batch_index, (ds, shards) in enumerate(zip(datasets, scattered)):
                batch = net.dataset_batch(ds, f"fit_data_parallel: minibatch {batch_index}")
                for segment, (t0, t1) in enumerate(fit.trainer.segments(batch)):
                    fit.update(shards, batch_index, segment, t0, t1)
            net.epoch_count += 1
    finally:
        fit.close()
        if net.iteration_count != first_iteration:
            net.rnn_clear_previous_state()
    return net

