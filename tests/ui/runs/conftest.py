"""Fixtures for the Runs tab's tests: a real run store in tmp_path holding three runs, and a fake
app session (``runs.store`` and ``open_run``)."""
from types import SimpleNamespace

import pytest

from workbench.errors import WorkbenchError
from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.runs import RunStore


def conf(units, tbptt=None, lr=0.01):
    extra = {"backprop_type": "tbptt", "tbptt_fwd_length": tbptt} if tbptt else {}
    return MultiLayerConfiguration([LSTM(units), RnnOutputLayer(2)], input_type=InputType.recurrent(3),
                                   updater=Adam(lr), seed=1, **extra)


def info(batch, segment, steps=24):
    return {"batch": batch, "segment": segment, "time_range": (3 * segment, 3 * segment + 3),
            "labelled_steps": steps, "examples": 8, "length": 9, "learning_rate": 0.01}


class FakeSession:
    """What RunsState uses of the app's session: ``runs.store``, ``runs.follow(id).stop()`` and
    ``open_run`` (recorded in ``opened`` and ``stopped``)."""

    def __init__(self, store):
        self.opened, self.stopped, self.fail = [], [], None
        follow = lambda run_id: SimpleNamespace(stop=lambda: self.stopped.append(run_id))  # noqa: E731
        self.runs = SimpleNamespace(store=store, follow=follow) if store is not None else None

    def open_run(self, run_id, where):
        if self.fail:
            raise WorkbenchError(self.fail)
        self.opened.append((run_id, where))


@pytest.fixture
def runs(tmp_path):
    """ids tbptt (finished: 2 epochs x 2 minibatches x TBPTT segments 0..2), plain (finished:
    3 epochs x 2 updates, standard BPTT) and live (running, 4 updates, its writer ``writer``)."""
    with RunStore(tmp_path / "runs.sqlite") as store:
        tbptt = store.create_run("lstm-4", "classification", conf(4, tbptt=3), {"epochs": 2}, seed=1)
        with store.writer(tbptt) as w:
            w.set_status("running")
            for i in range(12):
                w.append_update(i, i // 6, 3.0 - 0.1 * i, info(i // 3 % 2, i % 3), wall_time=1000.0 + i)
            w.append_epoch(0, {"accuracy": 0.5, "f1": 0.4})
            w.append_epoch(1, {"accuracy": 0.75, "f1": 0.7})
            w.set_status("finished")
        plain = store.create_run("lstm-8", "classification", conf(8), {"epochs": 3}, seed=2)
        with store.writer(plain) as w:
            w.set_status("running")
            for i in range(6):
                w.append_update(i, i // 2, 2.4 - 0.2 * i, info(i % 2, 0, steps=48), wall_time=500.0 + 2 * i)
            for epoch, acc in enumerate((0.6, 0.7, 0.9)):
                w.append_epoch(epoch, {"accuracy": acc, "f1": acc - 0.1})
            w.set_status("finished")
        live = store.create_run("lstm-4 again", "classification", conf(4, tbptt=3), {"epochs": 5}, seed=3)
        writer = store.writer(live, flush_seconds=0)
        writer.set_status("running")
        for i in range(4):
            writer.append_update(i, 0, 2.0, info(i // 3, i % 3), wall_time=2000.0 + i)
        yield SimpleNamespace(store=store, session=FakeSession(store), tbptt=tbptt, plain=plain, live=live,
                              writer=writer)
        writer.close()
