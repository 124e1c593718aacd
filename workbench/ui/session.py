"""The state one browser session (or one notebook) shares between the views.

``WorkbenchSession`` holds the chosen task and its data, the configuration being built, the
network and its training run. Views watch its parameters (``session.param.watch``) and set
them; nothing here draws anything.

Where runs train: with ``runs`` (a :class:`~workbench.runs.service.RunService`, as the served
app has) each Start is a new run kept in the run store and trained on a Dask worker, followed
by a :class:`~workbench.runs.followed.FollowedRun`; runs of the store can be opened again
(``open_run``). Without (a notebook's default) a :class:`BackgroundTrainer` trains in a thread
of this process and nothing is kept.
"""
from __future__ import annotations

import os
import tempfile

import param

from workbench.backend import available_backends
from workbench.data.batches import nth_batch
from workbench.errors import InvalidInputError
from workbench.eval import evaluate
from workbench.nn import MultiLayerConfiguration, MultiLayerNetwork
from workbench.nn.checks import data_problem
from workbench.nn.trainer import BackgroundTrainer
from workbench.ui.catalog import DEFAULT_TASK, TASKS, Task
from workbench.ui.runs.rows import backprop_text, layers_text


class WorkbenchSession(param.Parameterized):
    """Shared state. ``conf`` is None while the builder holds an invalid configuration."""

    task = param.ClassSelector(class_=Task, doc="the data set and its defaults")
    train_data = param.Parameter(doc="iterator (or DataSet) of training minibatches")
    test_data = param.Parameter(doc="iterator (or DataSet) to evaluate on, or None")
    conf = param.ClassSelector(class_=MultiLayerConfiguration, allow_None=True)
    backend = param.Selector(default="numpy", objects=["numpy", "cupy", "auto"])
    net = param.ClassSelector(class_=MultiLayerNetwork, allow_None=True, doc="the network trained or loaded")
    runs = param.Parameter(None, doc="RunService: runs train on its workers and are kept (None: in this process)")
    trainer = param.Parameter(None, doc="the run shown: a BackgroundTrainer, or a FollowedRun with runs")
    epochs = param.Integer(default=20, bounds=(1, 100_000), doc="epochs of the next training run")
    run_ended = param.Event(doc="fires when a training run has ended (finished, stopped or failed)")

    def __init__(self, task: str = DEFAULT_TASK, runs=None, **params):
        super().__init__(runs=runs, **params)
        self._sample = (None, None)       # (train_data, its first minibatch): what a network must fit
        self.available_backends = available_backends()
        self.select_task(task)

    def select_task(self, name: str) -> None:
        """Load a catalog task: its data, and its default network configuration (the previous
        run, trained on other data, is dropped: ``trainer`` and ``net`` become None; a run in a
        worker trains on, in the Runs tab)."""
        if name not in TASKS:
            raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
        self.stop_training()
        task = TASKS[name]
        train, test = task.load()
        self._task_data = train
        self.param.update(task=task, train_data=train, test_data=test, conf=task.default_config(), net=None,
                          trainer=None, epochs=task.epochs)

    def use_data(self, train, test=None) -> None:
        """Train on other data (for example uploaded CSV files) with the current task settings."""
        self.stop_training()
        self.param.update(train_data=train, test_data=test, net=None, trainer=None)

    def new_network(self) -> MultiLayerNetwork:
        """A freshly initialised network from ``conf`` on the chosen backend."""
        if self.conf is None:
            raise ValueError("the configuration is not valid yet: fix the messages in the Build view")
        net = MultiLayerNetwork(self.conf, backend=self.backend).init()
        self.net = net
        return net

    def evaluate(self, net):
        """The task's evaluation of ``net`` on the test data (None without test data)."""
        if self.test_data is None:
            return None
        return evaluate(net, self.test_data, self.task.kind, labels=list(self.task.class_names or ()) or None)

    def data_problem(self, conf=None) -> str | None:
        """Why ``conf`` (default: the session's configuration) cannot train on the training data:
        checked against its first minibatch, read once per data set. None when it can, or when
        there is no configuration or readable data."""
        conf = self.conf if conf is None else conf
        if conf is None or self.train_data is None:
            return None
        sample = self._first_batch()
        return None if sample is None else data_problem(conf, sample)

    def data_sizes(self) -> tuple[int, int] | None:
        """(features, labels) per step of the training data (axis 1 of its arrays), or None."""
        sample = self._first_batch()
        return None if sample is None else (int(sample.features.shape[1]), int(sample.labels.shape[1]))

    def _first_batch(self):
        """The training data's first minibatch, read once per data set (None if unreadable)."""
        if self.train_data is None:
            return None
        if self._sample[0] is not self.train_data:
            try:
                self._sample = (self.train_data, nth_batch(self.train_data, 0))
            except Exception:                           # the Data view reports unreadable data
                self._sample = (self.train_data, None)
        return self._sample[1]

    def start_training(self, epochs: int | None = None):
        """Train a new network (or continue the current one) for ``epochs`` (default:
        ``self.epochs``): in the background here, or as a new kept run on a worker with ``runs``.
        Returns the trainer (``self.trainer``)."""
        problem = self.data_problem()
        if problem:
            raise InvalidInputError(f"the network does not fit the training data ({problem}); change it in "
                                    "the Build view")
        self.stop_training()
        epochs = epochs or self.epochs
        go_on = self.net is not None and self.net.conf == self.conf
        if self.runs is None:
            net = self.net if go_on else self.new_network()
            trainer = BackgroundTrainer(net, self.train_data, epochs=epochs,
                                        evaluate=self.evaluate if self.test_data is not None else None)
            self.trainer = trainer.start()
            return trainer
        net = self.latest_network() if go_on else MultiLayerNetwork(self.conf, backend=self.backend).init()
        run = self.runs.start(run_name(self.conf), self.task.name, net, self.train_data, epochs, self.test_data,
                              self.task.kind, self._run_settings(),
                              model=model_bytes(net) if net.iteration_count else None)
        self.param.update(net=run.net, trainer=run)
        return run

    def start_sweep(self, space: dict, epochs: int | None = None, n_samples: int | None = None, seed: int = 0,
                    name: str | None = None) -> tuple[str, list, list]:
        """Train a new network of ``conf`` for each point of ``space`` (field path -> values,
        every combination or ``n_samples`` drawn with ``seed``, as :func:`workbench.distributed.sweep`
        takes them), each a kept run on the workers named ``name`` (default "sweep <k>") and its
        values, with ``settings["sweep"] == name`` and ``settings["params"]``. Returns (the name, the
        FollowedRuns started, [(params, why)] of the points left out: invalid, or not fitting the data)."""
        from workbench.distributed.sweeps import point_name, points, with_fields
        if self.runs is None:
            raise InvalidInputError("start_sweep: this session keeps no runs (it has no run store and workers)")
        if self.conf is None:
            raise InvalidInputError("start_sweep: the configuration is not valid; fix it in the Build view")
        chosen = points(space, n_samples, seed)
        name = name or next_sweep_name(self.runs.store)
        started, left_out = [], []
        for params in chosen:
            try:
                conf = with_fields(self.conf, params)
                problem = self.data_problem(conf)
                if problem:
                    raise InvalidInputError(f"it does not fit the training data ({problem})")
            except Exception as exc:                     # noqa: BLE001 - a bad point is reported, the others go on
                left_out.append((params, str(exc)))
                continue
            net = MultiLayerNetwork(conf, backend=self.backend).init()
            started.append(self.runs.start(point_name(name, params), self.task.name, net, self.train_data,
                                           epochs or self.epochs, self.test_data, self.task.kind,
                                           {**self._run_settings(), "sweep": name, "params": params}))
        return name, started, left_out

    def _run_settings(self) -> dict:
        return {"class_names": list(self.task.class_names or ()) or None, "backend": self.backend,
                "data": self.task.name if self.train_data is self._task_data else "uploaded files"}

    def latest_network(self) -> MultiLayerNetwork:
        """A copy of ``net`` with its latest parameters: while its run trains, taken between two
        updates (in this process) or the run's latest stored snapshot (on a worker)."""
        trainer = self.trainer
        return trainer.snapshot() if trainer is not None and trainer.net is self.net else self.net.copy()

    def latest_updates(self) -> int:
        """Parameter updates ``net`` has had so far, counting those its run has made since."""
        tr = self.trainer
        if tr is not None and tr.net is self.net and len(tr.history):
            return max(self.net.iteration_count, tr.history.iterations[-1] + 1)
        return self.net.iteration_count

    def adopt_result(self) -> None:
        """A run on a worker has ended: its final network becomes the session's (to step
        through, save, or train on)."""
        tr = self.trainer
        if tr is not None and self.runs is not None and tr.net is self.net and not tr.alive:
            tr.net = self.net = tr.snapshot()

    def open_run(self, run_id: int, where: str = "train"):
        """Make stored run ``run_id`` the session's experiment: its task (when it is one of the
        catalog's), configuration and epochs in Build, the run in Train, its network (the latest
        snapshot) in Step. ``where`` (build, train or step) is only checked here; the app opens
        that tab. Returns the followed run."""
        if where not in ("build", "train", "step"):
            raise InvalidInputError(f"open_run: where must be 'build', 'train' or 'step', got {where!r}")
        if self.runs is None:
            raise InvalidInputError("open_run: this session keeps no runs (it has no run store)")
        run = self.runs.follow(run_id)
        if run.task in TASKS and run.task != self.task.name:
            self.select_task(run.task)
        self.stop_training()
        self.param.update(conf=run.net.conf, epochs=run.epochs, trainer=run, net=run.net)
        self.adopt_result()
        return run

    def stop_training(self, wait: float | None = 2.0) -> None:
        """Stop a run training in this process (a run on a worker is kept training: stop it in
        the Train or Runs tab)."""
        if isinstance(self.trainer, BackgroundTrainer) and self.trainer.alive:
            self.trainer.stop(wait=wait)

    def close(self) -> None:
        """End background work (called when the browser session goes); does not block: the
        training thread ends by itself after its current update. Runs on workers go on."""
        self.stop_training(wait=None)


def run_name(conf) -> str:
    """A run's default name from its network: "LSTM 64 > RnnOutputLayer, TBPTT 50/50, lr 0.01"."""
    d = conf.to_dict()
    tbptt = f", {backprop_text(d)}" if conf.backprop_type == "tbptt" else ""
    return f"{layers_text(d['layers'])}{tbptt}, lr {conf.updater.lr:g}"


def next_sweep_name(store) -> str:
    """"sweep <k>", k one more than the sweeps ``store`` holds."""
    names = {run.settings.get("sweep") for run in store.list_runs()} - {None}
    k = len(names) + 1
    while f"sweep {k}" in names:
        k += 1
    return f"sweep {k}"


def model_bytes(net) -> bytes:
    """``net``'s model file (``net.save``) as bytes."""
    with tempfile.TemporaryDirectory(prefix="workbench-") as folder:
        path = os.path.join(folder, "model.zip")
        net.save(path)
        with open(path, "rb") as f:
            return f.read()
