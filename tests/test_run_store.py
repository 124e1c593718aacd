"""Run store: round trips of runs, updates, epochs, status, model and CSV; batching; threads;
rename/delete; refused files and ids. Processes are in test_run_store_processes.py."""
import csv
import sqlite3
import threading

import numpy as np
import pytest

from workbench.data import DataSet
from workbench.errors import InputTypeError, InvalidInputError, ModelFileError, RunStoreError, UnknownRunError
from workbench.nn import LSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer
from workbench.nn.trainer import BackgroundTrainer
from workbench.runs import RunStore, default_path, evaluation_metrics

X = np.random.default_rng(0).normal(size=(8, 3, 7))
DATA = DataSet(X, np.eye(2)[(X[:, 0] > 0).astype(int)].transpose(0, 2, 1))


def make_net():
    conf = MultiLayerConfiguration([LSTM(4), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=1,
                                   backprop_type="tbptt", tbptt_fwd_length=3, dtype="float64")
    return MultiLayerNetwork(conf).init()


def info(i):
    return {"batch": i // 3, "segment": i % 3, "time_range": (3 * (i % 3), 3 * (i % 3) + 3), "labelled_steps": 24,
            "examples": 8, "length": 7, "learning_rate": 1e-3, "grad_norms": [0.1 * i, 0.2], "update_ratios": [1e-3, i]}


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as s:
        yield s


def test_a_trained_run_round_trips(store, tmp_path):
    net = make_net()
    run_id = store.create_run("lstm-4", "classification", net.conf, {"epochs": 2, "backend": "numpy"}, seed=1)
    assert store.get_run(run_id).status == "queued" and store.get_run(run_id).started is None
    trainer = BackgroundTrainer(net, DATA, epochs=2, evaluate=lambda n: n.evaluate(DATA)).start()
    assert trainer.join(30) and trainer.state == "finished"
    h = trainer.history
    with store.writer(run_id, batch_rows=4) as w:
        w.set_status("running")
        for it, ep, score, inf in zip(h.iterations, h.epochs, h.scores, h.infos):
            w.append_update(it, ep, score, inf)
        for ep, ev in h.evaluations:
            w.append_epoch(ep, evaluation_metrics(ev))
        w.attach_model(net)
        w.set_status("finished")
    run = store.get_run(run_id)
    assert (run.name, run.task, run.seed, run.status, run.error, run.updates) == \
        ("lstm-4", "classification", 1, "finished", None, 6)
    assert run.configuration == net.conf.to_dict() and run.settings == {"epochs": 2, "backend": "numpy"}
    assert run.created <= run.started <= run.ended and run.has_model
    assert run.final_metrics == evaluation_metrics(h.evaluations[-1][1])
    m = store.metrics(run_id).updates
    assert m["iteration"].tolist() == h.iterations and m["score"].tolist() == h.scores
    assert m["segment"].tolist() == [i["segment"] for i in h.infos] == [0, 1, 2] * 2
    assert m["t1"].tolist() == [3, 6, 7] * 2 and m["examples"].tolist() == [8] * 6
    expected = [s * i["examples"] / i["labelled_steps"] for s, i in zip(h.scores, h.infos)]
    np.testing.assert_array_equal(m["loss_per_step"], expected)
    np.testing.assert_array_equal(m["grad_norms"], [i["grad_norms"] for i in h.infos])
    assert store.metrics(run_id).epochs["accuracy"][0].tolist() == [0, 1]
    loaded = store.load_network(run_id)
    assert loaded.iteration_count == 6
    np.testing.assert_array_equal(loaded.output(X), net.output(X))


def test_rows_are_flushed_in_batches_and_on_close(store):
    run_id = store.create_run("r", "regression", {"layers": []})
    other = RunStore(store.path)
    w = store.writer(run_id, batch_rows=5, flush_seconds=3600)
    for i in range(7):
        w.append_update(i, 0, float(i), info(i), wall_time=100.0 + i)
    assert other.get_run(run_id).updates == 5 == w.flushed          # the 6th and 7th wait
    w.close()
    u = other.metrics(run_id).updates
    assert u["iteration"].tolist() == list(range(7)) and u["wall_time"].tolist() == [100.0 + i for i in range(7)]
    np.testing.assert_array_equal(u["update_ratios"][:, 1], range(7))
    with pytest.raises(RunStoreError, match="writer is closed"):
        w.append_update(7, 0, 1.0)
    w0 = store.writer(run_id, flush_seconds=0)                      # every append commits
    w0.append_update(7, 0, float("nan"))
    assert np.isnan(other.metrics(run_id).updates["score"][-1]) and other.metrics(run_id).updates["t0"][-1] == -1
    w0.close()
    other.close()


def test_status_times_and_failure_text(store):
    run_id = store.create_run("r", "classification", {})
    with store.writer(run_id) as w:
        w.set_status("running")
        started = store.get_run(run_id).started
        w.set_status("paused")
        w.set_status("running")
        assert store.get_run(run_id).started == started and store.get_run(run_id).ended is None
        w.set_status("failed", "TrainingDivergedError: the score became nan")
        with pytest.raises(InvalidInputError, match="status must be one of"):
            w.set_status("done")
    run = store.get_run(run_id)
    assert run.status == "failed" and run.error.endswith("became nan") and run.ended >= started


def test_list_filters_rename_and_delete(store):
    ids = [store.create_run(f"run{i}", task, {}) for i, task in enumerate(["classification", "regression"] * 2)]
    with store.writer(ids[1]) as w:
        w.append_update(0, 0, 1.0, info(0))
        w.append_epoch(0, {"rmse": 0.5})
        w.attach_model(b"PK not really")
        w.set_status("finished")
    assert [r.id for r in store.list_runs()] == ids
    assert [r.id for r in store.list_runs(task="regression")] == [ids[1], ids[3]]
    assert [r.id for r in store.list_runs(status=["finished", "failed"])] == [ids[1]]
    assert [r.id for r in store.list_runs(task="classification", status="queued")] == [ids[0], ids[2]]
    with pytest.raises(InvalidInputError, match="list_runs: status"):
        store.list_runs(status="done")
    store.rename(ids[1], "renamed")
    assert store.get_run(ids[1]).name == "renamed"
    store.delete(ids[1])
    assert [r.id for r in store.list_runs()] == [ids[0], ids[2], ids[3]]
    with sqlite3.connect(store.path) as c:                           # its rows went with it
        assert [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("updates", "epochs", "models")] == \
            [0, 0, 0]
    for call in (store.get_run, store.metrics, store.load_network, store.writer, store.delete,
                 lambda i: store.rename(i, "x"), lambda i: store.export_csv(i, ".")):
        with pytest.raises(UnknownRunError, match=f"run {ids[1]} is not in the store"):
            call(ids[1])
    with pytest.raises(InputTypeError, match="run_id must be an int"):
        store.get_run("1")


def test_a_writer_of_a_deleted_run_is_refused(store):
    run_id = store.create_run("r", "classification", {})
    w = store.writer(run_id, batch_rows=2)
    store.delete(run_id)
    w.append_update(0, 0, 1.0)
    with pytest.raises(RunStoreError, match="the run was deleted"):
        w.append_update(1, 0, 1.0)


def test_model_blobs_are_checked_by_the_model_loader(store):
    run_id = store.create_run("r", "classification", {})
    with pytest.raises(RunStoreError, match="has no model file"):
        store.load_network(run_id)
    with store.writer(run_id) as w:
        w.attach_model(b"not a zip at all")
        with pytest.raises(InvalidInputError, match="attach_model"):
            w.attach_model("model.zip")
    with pytest.raises(ModelFileError, match=f"run {run_id}'s model: not a zip file"):
        store.load_network(run_id)


def test_csv_export_reads_back_as_stored(store, tmp_path):
    run_id = store.create_run("r", "regression", {})
    with store.writer(run_id) as w:
        for i in range(5):
            w.append_update(i, i // 2, 1 / (i + 3), info(i) if i != 2 else {})
        for ep in range(3):
            w.append_epoch(ep, {"rmse": 1 / (ep + 7), "r2": 0.1 * ep} if ep else {"rmse": 0.3})
    updates, epochs = store.export_csv(run_id, tmp_path)
    m = store.metrics(run_id)
    with open(updates) as f:
        rows = list(csv.DictReader(f))
    for name, column in m.updates.items():
        if column.ndim == 1:
            back = [int(r[name]) if r[name] else -1 for r in rows] if column.dtype.kind == "i" else \
                [float(r[name]) if r[name] else np.nan for r in rows]
            np.testing.assert_array_equal(back, column)
    np.testing.assert_array_equal([float(r["grad_norm_0"] or "nan") for r in rows], m.updates["grad_norms"][:, 0])
    with open(epochs) as f:
        assert list(csv.reader(f)) == [["epoch", "r2", "rmse"], ["0", "", "0.3"], ["1", "0.1", repr(1 / 8)],
                                       ["2", "0.2", repr(1 / 9)]]


def read_events(folder) -> dict:
    """{tag: [(step, value, wall time)]} of the TensorBoard event files in ``folder`` (TFRecord
    framing: length, its CRC, the Event protobuf, its CRC)."""
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")
    out = {}
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data, i = path.read_bytes(), 0
        while i < len(data):
            n = int.from_bytes(data[i:i + 8], "little")
            event = event_pb2.Event.FromString(data[i + 12:i + 12 + n])
            i += 12 + n + 4
            for v in event.summary.value:
                out.setdefault(v.tag, []).append((event.step, v.simple_value, event.wall_time))
    return out


def test_tensorboard_export_holds_every_update_and_epoch(tmp_path):
    pytest.importorskip("tensorboardX")
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id = store.create_run("r", "classification", make_net().conf)
        with store.writer(run_id) as w:
            for i in range(5):
                w.append_update(i, i // 2, 1 / (i + 3), info(i), wall_time=1000.0 + i)
            w.append_epoch(0, {"accuracy": 0.5})
            w.append_epoch(1, {"accuracy": 0.75})
        events = read_events(store.export_tensorboard(run_id, tmp_path / "tb" / "run-1"))
    assert [(s, v) for s, v, _ in events["loss/score"]] == [(i, pytest.approx(1 / (i + 3))) for i in range(5)]
    assert [w for _, _, w in events["loss/score"]] == [1000.0 + i for i in range(5)]
    assert [v for _, v, _ in events["loss/per_step"]] == pytest.approx([1 / (i + 3) * 8 / 24 for i in range(5)])
    assert [v for _, v, _ in events["grad_norm/0_LSTM"]] == pytest.approx([0.1 * i for i in range(5)])
    assert [(s, v) for s, v, _ in events["eval/accuracy"]] == [(1, 0.5), (2, 0.75)]      # epochs from 1


def test_a_reader_thread_sees_whole_batches_while_a_writer_writes(store):
    run_id = store.create_run("r", "classification", {})
    seen, errors, done = [], [], threading.Event()

    def read():
        try:
            while not done.is_set():
                seen.append(len(store.metrics(run_id).updates["iteration"]))   # this thread's own connection
        except Exception as exc:          # reported below
            errors.append(exc)
    reader = threading.Thread(target=read)
    reader.start()
    with store.writer(run_id, batch_rows=10, flush_seconds=3600) as w:
        for i in range(2000):
            w.append_update(i, 0, 1.0, info(i))
    done.set()
    reader.join(10)
    assert not errors and seen == sorted(seen) and all(n % 10 == 0 for n in seen)
    assert store.get_run(run_id).updates == 2000


def test_files_that_are_not_a_run_store_are_refused(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("hello, not a database " * 100)
    with pytest.raises(RunStoreError, match="is not a run store"):
        RunStore(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(RunStoreError, match="not a run store .* no schema_version"):
        RunStore(other)
    newer = tmp_path / "newer.sqlite"
    RunStore(newer).close()
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(RunStoreError, match=r"schema version \[99\], this workbench reads version 1"):
        RunStore(newer)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        RunStore(tmp_path / "missing" / "runs.sqlite")
    with pytest.raises(InvalidInputError, match="configuration must be JSON data"):
        RunStore(tmp_path / "ok.sqlite").create_run("r", "classification", {"x": object()})


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("WORKBENCH_RUNS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "rnn-workbench" / "runs.sqlite"
    monkeypatch.setenv("WORKBENCH_RUNS", str(tmp_path / "mine.sqlite"))
    with RunStore() as s:
        assert s.path == tmp_path / "mine.sqlite" and s.list_runs() == []
