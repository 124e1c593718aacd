"""DL4J's ``RegressionEvaluation``: per-column MSE, MAE, RMSE and R^2, mergeable across minibatches."""
from __future__ import annotations

import operator

from workbench.backend import cpu
from workbench.errors import InvalidInputError
from workbench.eval.checks import check_finite, flat_mask, host, labels_and_predictions

np = cpu.xp


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
        y, p = labels_and_predictions(labels, predictions, "columns")
        self._check_columns(y.shape[1], f"labels of shape {y.shape}")
        keep = None if mask is None else flat_mask(mask, y.shape).reshape(y.shape[0], -1)
        rows_y = _rows(y, keep, np.float64)  # [n, columns]
        rows_p = _rows(p, keep)              # [n, columns], the input's dtype (cast by the subtraction)
        check_finite(rows_y, "labels")
        check_finite(rows_p, "predictions")
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
        y = host(labels, "labels")
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

    def to_dict(self) -> dict:
        """The rows counted, the running sums and the column names as JSON data; :meth:`from_dict`
        reads it back."""
        return {"kind": "regression", "rows": self._n, "stats": None if self._stats is None else self._stats.tolist(),
                "columns": self.column_names}

    @classmethod
    def from_dict(cls, data: dict) -> RegressionEvaluation:
        ev = cls(data.get("columns"))
        if data.get("stats") is not None:
            ev._n, ev._stats = int(data["rows"]), np.asarray(data["stats"], np.float64).reshape(5, -1)
        return ev

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
