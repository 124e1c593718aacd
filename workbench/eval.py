"""Evaluation, as DL4J's ``Evaluation`` and ``RegressionEvaluation``, and the last time step of a series.

* :class:`Evaluation` (classification): labels are one-hot and predictions are scores or
  probabilities, ``[batch, classes]`` or ``[batch, classes, time]``; for both, the class is the
  argmax over axis 1. The confusion matrix is indexed ``[actual, predicted]``.
* :class:`RegressionEvaluation`: per-column MSE, MAE, RMSE and R^2 of ``[batch, columns]`` or
  ``[batch, columns, time]`` data.
* :func:`last_time_step` / :func:`last_time_step_indices`: each example's output at its last
  unmasked step (sequence classification after training, as in the DL4J guide).

Masks are 1 = counts, 0 = skipped (bool or float): ``[batch]`` or ``[batch, 1]`` for 2-d data,
``[batch, time]`` for 3-d data. Inputs may be NumPy or CuPy arrays; results are NumPy.
"""
from __future__ import annotations

import operator

from workbench.backend import cpu, real_array, to_numpy
from workbench.errors import InvalidInputError

np = cpu.xp

__all__ = ["Evaluation", "RegressionEvaluation", "last_time_step", "last_time_step_indices"]


class Evaluation:
    """Accumulates a confusion matrix over calls to :meth:`eval`.

    num_classes: the number of classes, or None to take it from ``labels`` or the first data.
    labels: optional class names, shown by :meth:`stats`.

    Per-class scores follow DL4J: the precision of a class never predicted is 0, the recall of
    a class that never occurs is 0, and F1 is 0 when precision + recall is 0. Macro averages
    (``i=None``) are the mean over the classes that occur among the actual or the predicted
    classes; a class absent from both is left out of the average.
    """

    def __init__(self, num_classes=None, labels=None):
        if labels is not None:
            labels = [str(name) for name in labels]
            num_classes = len(labels) if num_classes is None else num_classes
            if len(labels) != num_classes:
                raise InvalidInputError(f"labels: expected {num_classes} class names (num_classes), got {len(labels)}")
        if num_classes is not None and operator.index(num_classes) < 1:
            raise InvalidInputError(f"num_classes: expected at least 1, got {num_classes}")
        self.class_names = labels
        self._cm = None if num_classes is None else np.zeros((num_classes, num_classes), np.int64)

    @property
    def num_classes(self) -> int | None:
        return None if self._cm is None else self._cm.shape[0]

    def eval(self, labels, predictions, mask=None) -> None:
        """Add one minibatch.

        labels: one-hot ``[batch, classes]`` or ``[batch, classes, time]``.
        predictions: the same shape as labels.
        mask: 1 = counts, 0 = skipped (bool or float): ``[batch]`` or ``[batch, 1]`` for 2-d
        data, ``[batch, time]`` for 3-d data; None counts every row or step.
        """
        y, p = _labels_and_predictions(labels, predictions, "classes")
        self._check_classes(y.shape[1], f"labels of shape {y.shape}")
        actual = y.argmax(axis=1).reshape(-1)  # [batch] or [batch, time] -> flat, row b*time + t
        predicted = p.argmax(axis=1).reshape(-1)
        finite = (np.isfinite(y).all(axis=1) & np.isfinite(p).all(axis=1)).reshape(-1)
        if mask is not None:
            keep = _flat_mask(mask, y.shape)
            actual, predicted, finite = actual[keep], predicted[keep], finite[keep]
        _check_finite(finite, "labels or predictions")
        n = self.num_classes
        self._cm += np.bincount(actual * n + predicted, minlength=n * n).reshape(n, n)

    def eval_time_series(self, labels, predictions, output_mask=None) -> None:
        """:meth:`eval` for 3-d ``[batch, classes, time]`` data; output_mask ``[batch, time]``."""
        y = _host(labels, "labels")
        if y.ndim != 3:
            raise InvalidInputError(f"labels: expected [batch, classes, time], got shape {y.shape}")
        self.eval(y, predictions, output_mask)

    def num_examples(self) -> int:
        """Rows evaluated so far: examples for 2-d data, unmasked steps for 3-d data."""
        return int(self._matrix().sum())

    def accuracy(self) -> float:
        """Fraction of evaluated rows predicted right (0.0 before any data)."""
        n = self.num_examples()
        return float(np.trace(self._matrix()) / n) if n else 0.0

    def precision(self, i=None) -> float:
        """Class i: TP / (TP + FP), 0 if i was never predicted. i=None: macro average."""
        return self._pick(self._per_class()[0], i)

    def recall(self, i=None) -> float:
        """Class i: TP / (TP + FN), 0 if i never occurred. i=None: macro average."""
        return self._pick(self._per_class()[1], i)

    def f1(self, i=None) -> float:
        """Class i: 2 P R / (P + R), 0 if P + R = 0. i=None: macro average of the per-class F1."""
        return self._pick(self._per_class()[2], i)

    def confusion_matrix(self):
        """A copy of the counts, int64 ``[actual, predicted]`` (``[0, 0]`` while the class count is unknown)."""
        return self._matrix().copy()

    def merge(self, other: Evaluation) -> None:
        """Add the counts of ``other`` (an Evaluation over the same classes) to this one."""
        if other._cm is None:
            return
        self._check_classes(other.num_classes, "merge: the other Evaluation")
        self._cm += other._cm
        self.class_names = self.class_names or other.class_names

    def stats(self) -> str:
        """A text report: accuracy, macro scores, per-class scores and the confusion matrix."""
        cm = self._matrix()
        n = cm.shape[0]
        names = [f"{c} {self.class_names[c]}" if self.class_names else str(c) for c in range(n)]
        w = max([len("class")] + [len(s) for s in names])
        precision, recall, f1 = self._per_class()
        lines = [
            f"Examples evaluated: {self.num_examples()}",
            f"Accuracy:  {self.accuracy():.4f}",
            f"Precision: {self.precision():.4f}  (macro average, as are recall and F1)",
            f"Recall:    {self.recall():.4f}",
            f"F1:        {self.f1():.4f}",
            "",
            f"{'class':<{w}}  precision  recall      f1  actual  predicted",
        ]
        for c in range(n):
            lines.append(f"{names[c]:<{w}}  {precision[c]:9.4f}  {recall[c]:6.4f}  {f1[c]:6.4f}"
                         f"  {cm[c].sum():6d}  {cm[:, c].sum():9d}")
        cw = max(len(str(n - 1)), len(str(cm.max(initial=0)))) + 1
        lines += ["", "Confusion matrix (rows: actual class, columns: predicted class):",
                  " " * w + "".join(f"{c:>{cw}}" for c in range(n))]
        lines += [f"{names[c]:<{w}}" + "".join(f"{v:>{cw}}" for v in cm[c]) for c in range(n)]
        return "\n".join(lines)

    def _matrix(self):
        return np.zeros((0, 0), np.int64) if self._cm is None else self._cm

    def _check_classes(self, n, what):
        """Fix the class count on first use; afterwards every input must agree with it."""
        if self._cm is None:
            self._cm = np.zeros((n, n), np.int64)
        elif n != self.num_classes:
            raise InvalidInputError(f"{what}: expected {self.num_classes} classes, got {n}")

    def _per_class(self):
        """(precision, recall, f1), each a float64 array over classes."""
        cm = self._matrix()
        tp = np.diag(cm).astype(np.float64)
        precision = _ratio(tp, cm.sum(axis=0))
        recall = _ratio(tp, cm.sum(axis=1))
        return precision, recall, _ratio(2 * precision * recall, precision + recall)

    def _pick(self, values, i):
        """values[i], or for i=None their mean over the classes seen as actual or predicted."""
        cm = self._matrix()
        if i is None:
            seen = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
            return float(values[seen].mean()) if seen.any() else 0.0
        i = operator.index(i)
        if not 0 <= i < len(values):
            raise InvalidInputError(f"i: expected a class index 0 <= i < {len(values)}, got {i}")
        return float(values[i])


class RegressionEvaluation:
    """Per-column regression scores (MSE, MAE, RMSE, R^2) accumulated over calls to :meth:`eval`.

    columns: the number of columns (an int), their names (a sequence, shown by :meth:`stats`),
    or None to take the count from the first data.

    For column c over the n rows counted so far (the examples of 2-d data, the unmasked steps of
    3-d data), with error e = prediction - label:

    * MSE = sum(e^2) / n, MAE = sum(|e|) / n, RMSE = sqrt(MSE);
    * R^2 = 1 - SS_res / SS_tot with SS_res = sum(e^2) and SS_tot = sum((y - mean(y))^2), the
      mean taken over every row counted. When SS_tot is 0 (constant labels, or a single row),
      R^2 is 1.0 for a perfect prediction and 0.0 otherwise (scikit-learn's convention).

    Without ``i`` each score is the mean of the per-column scores, as DL4J's ``average...``
    methods: ``root_mean_squared_error()`` is the mean of the column RMSEs, not the root of the
    mean MSE. Before any row is counted every score is NaN.

    The state is a set of sufficient statistics per column, in float64: the row count, the labels'
    mean and their sum of squared deviations (SS_tot, combined across calls and :meth:`merge`
    with Chan et al.'s pairwise update: the same information as sum y and sum y^2 without the
    cancellation of sum y^2 - (sum y)^2 / n), and the sums of the predictions, of e^2 and of |e|.
    Evaluating in several calls, or merging evaluations, gives the scores of one call on all the
    data, up to float64 rounding.
    """

    def __init__(self, columns=None):
        names, n = None, None
        if columns is not None:
            if isinstance(columns, str):
                raise InvalidInputError(f"columns: expected a column count or a sequence of names, got the string {columns!r}")
            try:
                n = operator.index(columns)
            except TypeError:
                names = [str(name) for name in columns]
                n = len(names)
            if n < 1:
                raise InvalidInputError(f"columns: expected at least 1 column, got {n}")
        self.column_names = names
        self._n = 0
        self._stats = None if n is None else np.zeros((5, n), np.float64)  # mean_y, ss_tot, sum_p, sse, sae

    @property
    def num_columns(self) -> int | None:
        return None if self._stats is None else self._stats.shape[1]

    def eval(self, labels, predictions, mask=None) -> None:
        """Add one minibatch.

        labels: ``[batch, columns]`` or ``[batch, columns, time]``.
        predictions: the same shape as labels.
        mask: 1 = counts, 0 = skipped (bool or float): ``[batch]`` or ``[batch, 1]`` for 2-d
        data, ``[batch, time]`` for 3-d data; None counts every row or step.
        """
        y, p = _labels_and_predictions(labels, predictions, "columns")
        self._check_columns(y.shape[1], f"labels of shape {y.shape}")
        keep = None if mask is None else _flat_mask(mask, y.shape).reshape(y.shape[0], -1)
        rows_y = _rows(y, keep, np.float64)  # [n, columns]
        rows_p = _rows(p, keep)              # [n, columns], the input's dtype (cast by the subtraction)
        _check_finite(rows_y, "labels")
        _check_finite(rows_p, "predictions")
        n = rows_y.shape[0]
        if n == 0:
            return
        ones = np.ones(n)  # column sums as ones @ rows: one BLAS pass instead of a strided reduction
        err = np.subtract(rows_p, rows_y, dtype=np.float64)
        sum_err = ones @ err
        sse = np.einsum("ij,ij->j", err, err)
        sae = ones @ np.abs(err, out=err)
        sum_y = ones @ rows_y
        mean = sum_y / n
        dev = np.subtract(rows_y, mean, out=err)
        ss_tot = np.einsum("ij,ij->j", dev, dev)  # two-pass: no cancellation within the batch
        self._add(n, np.stack([mean, ss_tot, sum_y + sum_err, sse, sae]))

    def eval_time_series(self, labels, predictions, output_mask=None) -> None:
        """:meth:`eval` for 3-d ``[batch, columns, time]`` data; output_mask ``[batch, time]``."""
        y = _host(labels, "labels")
        if y.ndim != 3:
            raise InvalidInputError(f"labels: expected [batch, columns, time], got shape {y.shape}")
        self.eval(y, predictions, output_mask)

    def num_examples(self) -> int:
        """Rows counted so far: examples for 2-d data, unmasked steps for 3-d data."""
        return self._n

    def mean_squared_error(self, i=None) -> float:
        """Column i: sum(e^2) / n. i=None: the mean over columns."""
        return self._pick(self._column("sse") / self._n_or_nan(), i)

    def mean_absolute_error(self, i=None) -> float:
        """Column i: sum(|e|) / n. i=None: the mean over columns."""
        return self._pick(self._column("sae") / self._n_or_nan(), i)

    def root_mean_squared_error(self, i=None) -> float:
        """Column i: sqrt(MSE of column i). i=None: the mean of the column RMSEs."""
        return self._pick(np.sqrt(self._column("sse") / self._n_or_nan()), i)

    def r_squared(self, i=None) -> float:
        """Column i: 1 - SS_res / SS_tot (1.0 or 0.0 when SS_tot is 0). i=None: the mean over columns."""
        sse, ss_tot = self._column("sse"), self._column("ss_tot")
        r2 = np.where(sse == 0, 1.0, 0.0)
        np.subtract(1.0, np.divide(sse, ss_tot, out=np.zeros_like(sse), where=ss_tot > 0), out=r2, where=ss_tot > 0)
        return self._pick(r2 if self._n else np.full_like(r2, np.nan), i)

    def merge(self, other: RegressionEvaluation) -> None:
        """Add the rows of ``other`` (a RegressionEvaluation over the same columns) to this one."""
        if not isinstance(other, RegressionEvaluation):
            raise InvalidInputError(f"merge: expected a RegressionEvaluation, got {type(other).__name__}")
        if other._stats is None:
            return
        self._check_columns(other.num_columns, "merge: the other RegressionEvaluation")
        self._add(other._n, other._stats)
        self.column_names = self.column_names or other.column_names

    def stats(self) -> str:
        """A text table: one row per column (MSE, MAE, RMSE, R^2, rows counted), then the averages."""
        n_cols = self.num_columns or 0
        names = [f"{c} {self.column_names[c]}" if self.column_names else str(c) for c in range(n_cols)]
        w = max([len("average")] + [len(s) for s in names])
        cw = max(len("count"), len(str(self._n)))
        scores = [self.mean_squared_error, self.mean_absolute_error, self.root_mean_squared_error, self.r_squared]
        lines = [f"Rows evaluated: {self._n} (examples of 2-d data, unmasked steps of 3-d data)", "",
                 f"{'column':<{w}}" + "".join(f"{h:>13}" for h in ("MSE", "MAE", "RMSE", "R^2")) + f"  {'count':>{cw}}"]
        for c in range(n_cols):
            lines.append(f"{names[c]:<{w}}" + "".join(f"{f(c):>13.5e}" for f in scores) + f"  {self._n:>{cw}}")
        if n_cols:
            lines.append(f"{'average':<{w}}" + "".join(f"{f():>13.5e}" for f in scores))
        return "\n".join(lines)

    _ROWS = {"mean_y": 0, "ss_tot": 1, "sum_p": 2, "sse": 3, "sae": 4}

    def _column(self, name):
        """One statistic over columns (float64 [columns]; empty while the column count is unknown)."""
        return np.zeros(0) if self._stats is None else self._stats[self._ROWS[name]]

    def _n_or_nan(self):
        return self._n if self._n else np.nan

    def _add(self, n, stats):
        """Combine ``n`` rows summarised by ``stats`` (as ``self._stats``) into the running state."""
        if n == 0:
            return
        s, total = self._stats, self._n + n
        delta = stats[0] - s[0]
        s[1] += stats[1] + delta * delta * (self._n * n / total)  # Chan et al.: SS of the union
        s[0] += delta * (n / total)
        s[2:] += stats[2:]
        self._n = total

    def _check_columns(self, n, what):
        """Fix the column count on first use; afterwards every input must agree with it."""
        if self._stats is None:
            if n < 1:
                raise InvalidInputError(f"{what}: expected at least 1 column, got {n}")
            self._stats = np.zeros((5, n), np.float64)
        elif n != self.num_columns:
            raise InvalidInputError(f"{what}: expected {self.num_columns} columns, got {n}")

    def _pick(self, values, i):
        """values[i], or for i=None their mean over columns (NaN before any data)."""
        if i is None:
            return float(values.mean()) if self._n else float("nan")
        i = operator.index(i)
        if not 0 <= i < len(values):
            raise InvalidInputError(f"i: expected a column index 0 <= i < {len(values)}, got {i}")
        return float(values[i])


def _rows(a, keep, dtype=None):
    """``[batch, columns]`` or ``[batch, columns, time]`` as rows ``[n, columns]`` of ``dtype``.

    keep: None, or bool ``[batch, 1]`` (2-d) / ``[batch, time]`` (3-d); rows run b*time + t.
    The result may be the input itself (2-d, no mask, same dtype): read it only.
    """
    dtype = a.dtype if dtype is None else np.dtype(dtype)
    if a.ndim == 3:
        a = np.moveaxis(a, 1, 2)  # [batch, time, columns], a view
        if keep is None:          # transpose and cast in one pass
            rows = np.empty(a.shape, dtype)
            np.copyto(rows, a, casting="unsafe")
            return rows.reshape(-1, a.shape[2])
        rows = a[keep]
    else:
        rows = a if keep is None else a[keep[:, 0]]
    return rows.astype(dtype, copy=False)


def last_time_step_indices(mask):
    """The index of the last 1 in each row of a ``[batch, time]`` mask: int64 ``[batch]``.

    mask: a features or labels mask (bool or 0/1). For a one-hot labels mask (sequence
    classification) this is the argmax of each row; for a features mask [1, 1, 1, 1, 0] it is 3,
    and for a start-padded one [0, 0, 1, 1, 1] it is 4. A row with no 1 is a ValueError.
    """
    m = _host(mask, "mask")
    if m.ndim != 2 or m.shape[1] == 0:
        raise InvalidInputError(f"mask: expected [batch, time] with time >= 1, got shape {m.shape}")
    _check_01(m, "mask")
    present = m != 0
    empty = ~present.any(axis=1)
    if empty.any():
        bad = np.flatnonzero(empty)
        which = f"example {bad[0]} has" if len(bad) == 1 else \
            f"examples {', '.join(map(str, bad[:10]))}{', ...' if len(bad) > 10 else ''} have"
        raise InvalidInputError(f"mask: {which} no unmasked step (an all-zero mask row has no last time step)")
    return (m.shape[1] - 1 - present[:, ::-1].argmax(axis=1)).astype(np.int64)


def last_time_step(output, mask=None):
    """Each example's output at its last unmasked step: ``[batch, n_out, time]`` -> ``[batch, n_out]``.

    mask: the features or labels mask ``[batch, time]``; None takes the last step of every
    example (all the same length). The result is a new NumPy array.
    """
    y = _host(output, "output")
    if y.ndim != 3 or y.shape[2] == 0:
        raise InvalidInputError(f"output: expected [batch, n_out, time] with time >= 1, got shape {y.shape}")
    if mask is None:
        return y[:, :, -1].copy()
    m = _host(mask, "mask")
    if m.shape != (y.shape[0], y.shape[2]):
        raise InvalidInputError(f"mask: expected shape [batch, time] = {(y.shape[0], y.shape[2])} "
                         f"for output of shape {y.shape}, got {m.shape}")
    return y[np.arange(y.shape[0]), :, last_time_step_indices(m)]


def _ratio(a, b):
    """a / b elementwise, 0 where b is 0."""
    return np.divide(a, b, out=np.zeros(len(a)), where=b > 0)


def _labels_and_predictions(labels, predictions, what):
    """NumPy (labels, predictions) of one shape, ``[batch, what]`` or ``[batch, what, time]``."""
    y, p = _host(labels, "labels"), _host(predictions, "predictions")
    if y.ndim not in (2, 3):
        raise InvalidInputError(f"labels: expected [batch, {what}] or [batch, {what}, time], got shape {y.shape}")
    if p.shape != y.shape:
        raise InvalidInputError(f"predictions: expected the labels' shape {y.shape}, got {p.shape}")
    return y, p


def _check_finite(rows, name):
    """Refuse NaN/inf in the rows that count (padding may hold anything)."""
    if not (rows if rows.dtype == bool else np.isfinite(rows)).all():
        raise InvalidInputError(f"{name} contain NaN or inf at steps that count (unmasked)")


def _host(a, name):
    """A NumPy array of real numbers (see :func:`workbench.backend.real_array`)."""
    return to_numpy(real_array(a, name))


def _flat_mask(mask, shape):
    """The mask checked against the labels' shape, as a flat bool array over rows (b*time + t)."""
    m = _host(mask, "mask")
    if len(shape) == 3:
        ok, expected = m.shape == (shape[0], shape[2]), f"[batch, time] = {(shape[0], shape[2])}"
    else:
        ok, expected = m.shape in ((shape[0],), (shape[0], 1)), f"[batch] or [batch, 1] with batch = {shape[0]}"
    if not ok:
        raise InvalidInputError(f"mask: expected shape {expected} for labels of shape {shape}, got {m.shape}")
    _check_01(m, "mask")
    return m.reshape(-1).astype(bool)


def _check_01(m, what):
    """ValueError unless every value of ``m`` is 0 or 1 (bool passes; NaN does not)."""
    if m.dtype == bool:
        return
    bad = ~((m == 0) | (m == 1))
    if bad.any():
        raise InvalidInputError(f"{what}: values must be 0 or 1 (1 = counts), got {np.unique(m[bad])[:5]}")
