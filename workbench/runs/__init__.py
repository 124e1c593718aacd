"""Every training run kept: a run store in one SQLite file.

What it stores, per run: id, name, task, configuration (JSON), training settings (JSON: epochs,
backend, data, ...), seed, status (queued, running, paused, finished, stopped, failed with its
error text), created/started/ended times; one row per parameter update (iteration, epoch,
minibatch, TBPTT segment and its time steps, score, loss per labelled step, examples, length,
learning rate, wall time, per-layer gradient norms and update ratios: what ``fit``'s listeners and
``BackgroundTrainer``'s history carry); metrics per epoch (name -> value); the final model file
(the zip ``net.save`` writes, read back through :mod:`workbench.io`, never unpickled).

Where: ``RunStore(path)``, or by default ``$WORKBENCH_RUNS``, else ``rnn-workbench/runs.sqlite``
in the user's data folder (``~/.local/share`` or ``$XDG_DATA_HOME`` on Linux). The file is in WAL
mode: several threads and processes read and write it at once (a connection per thread, a writer
per run); a crash loses at most a writer's unflushed rows, never the database.

Use::

    store = RunStore()
    run = store.create_run("lstm-64", "classification", net.conf, {"epochs": 5, "backend": "numpy"}, seed=1)
    with store.writer(run) as w:
        w.set_status("running")
        net.fit(data, epochs=5, listeners=[w.append_update])   # rows flushed in batches
        w.append_epoch(4, evaluation_metrics(net.evaluate(test)))
        w.attach_model(net)
        w.set_status("finished")
    store.list_runs(task="classification"), store.metrics(run).updates["score"]
    store.load_network(run), store.export_csv(run, "out/")

Errors are :class:`~workbench.errors.RunStoreError` (not a run store, an unknown schema version,
a refused write) and :class:`~workbench.errors.UnknownRunError` (a run id it does not hold).
"""
from workbench.errors import RunStoreError, UnknownRunError
from workbench.runs.schema import SCHEMA_VERSION, STATUSES, default_path
from workbench.runs.store import Run, RunMetrics, RunStore
from workbench.runs.writer import RunWriter, evaluation_metrics

__all__ = ["SCHEMA_VERSION", "STATUSES", "Run", "RunMetrics", "RunStore", "RunStoreError", "RunWriter",
           "UnknownRunError", "default_path", "evaluation_metrics"]
