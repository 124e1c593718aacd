"""The state one browser session (or one notebook) shares between the four views.

``WorkbenchSession`` holds the chosen task and its data, the configuration being built, the
network and its training run. Views watch its parameters (``session.param.watch``) and set
them; nothing here draws anything.
"""
from __future__ import annotations

import param

from workbench.backend import available_backends
from workbench.data.batches import nth_batch
from workbench.errors import InvalidInputError
from workbench.eval import evaluate
from workbench.nn import MultiLayerConfiguration, MultiLayerNetwork
from workbench.nn.checks import data_problem
from workbench.nn.trainer import BackgroundTrainer
from workbench.ui.catalog import DEFAULT_TASK, TASKS, Task


class WorkbenchSession(param.Parameterized):
    """Shared state. ``conf`` is None while the builder holds an invalid configuration."""

    task = param.ClassSelector(class_=Task, doc="the data set and its defaults")
    train_data = param.Parameter(doc="iterator (or DataSet) of training minibatches")
    test_data = param.Parameter(doc="iterator (or DataSet) to evaluate on, or None")
    conf = param.ClassSelector(class_=MultiLayerConfiguration, allow_None=True)
    backend = param.Selector(default="numpy", objects=["numpy", "cupy", "auto"])
    net = param.ClassSelector(class_=MultiLayerNetwork, allow_None=True, doc="the network trained or loaded")
    trainer = param.ClassSelector(class_=BackgroundTrainer, allow_None=True)
    epochs = param.Integer(default=20, bounds=(1, 100_000), doc="epochs of the next training run")
    run_ended = param.Event(doc="fires when a training run has ended (finished, stopped or failed)")

    def __init__(self, task: str = DEFAULT_TASK, **params):
        super().__init__(**params)
        self._sample = (None, None)       # (train_data, its first minibatch): what a network must fit
        self.available_backends = available_backends()
        self.select_task(task)

    def select_task(self, name: str) -> None:
        """Load a catalog task: its data, and its default network configuration (the previous
        run, trained on other data, is dropped: ``trainer`` and ``net`` become None)."""
        if name not in TASKS:
            raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
        self.stop_training()
        task = TASKS[name]
        train, test = task.load()
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

    def start_training(self, epochs: int | None = None) -> BackgroundTrainer:
        """Train a new network (or continue the current one) in the background for ``epochs``
        (default: ``self.epochs``)."""
        problem = self.data_problem()
        if problem:
            raise InvalidInputError(f"the network does not fit the training data ({problem}); change it in "
                                    "the Build view")
        self.stop_training()
        net = self.net if self.net is not None and self.net.conf == self.conf else self.new_network()
        trainer = BackgroundTrainer(net, self.train_data, epochs=epochs or self.epochs,
                                    evaluate=self.evaluate if self.test_data is not None else None)
        self.trainer = trainer.start()
        return trainer

    def stop_training(self, wait: float | None = 2.0) -> None:
        if self.trainer is not None and self.trainer.alive:
            self.trainer.stop(wait=wait)

    def close(self) -> None:
        """End background work (called when the browser session goes); does not block: the
        training thread ends by itself after its current update."""
        self.stop_training(wait=None)
