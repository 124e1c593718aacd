"""A network's evaluation on data, by the kind of task: what the app and stored runs record."""
from __future__ import annotations

from workbench.data.batches import as_datasets
from workbench.eval.regression import RegressionEvaluation


def evaluate(net, data, kind: str, labels=None):
    """``net``'s evaluation on ``data`` (a DataSet or an iterable of them): ``net.evaluate`` (class
    names ``labels``) for classification, a masked RegressionEvaluation of ``net.output`` for
    ``kind == "regression"``."""
    if kind != "regression":
        return net.evaluate(data, labels=labels)
    ev = RegressionEvaluation()
    for ds in as_datasets(data, "evaluate"):
        ev.eval(ds.labels, net.output(ds.features, ds.features_mask), ds.labels_mask)
    return ev
