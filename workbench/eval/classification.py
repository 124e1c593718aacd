"""DL4J's ``Evaluation``: a confusion matrix of one-hot labels against class scores."""
from __future__ import annotations

import operator

from workbench.backend import cpu
from workbench.errors import InvalidInputError
from workbench.eval.checks import check_finite, flat_mask, host, labels_and_predictions

np = cpu.xp


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
        y, p = labels_and_predictions(labels, predictions, "classes")
        self._check_classes(y.shape[1], f"labels of shape {y.shape}")
        actual = y.argmax(axis=1).reshape(-1)  # [batch] or [batch, time] -> flat, row b*time + t
        predicted = p.argmax(axis=1).reshape(-1)
        finite = (np.isfinite(y).all(axis=1) & np.isfinite(p).all(axis=1)).reshape(-1)
        if mask is not None:
            keep = flat_mask(mask, y.shape)
            actual, predicted, finite = actual[keep], predicted[keep], finite[keep]
        check_finite(finite, "labels or predictions")
        n = self.num_classes
        self._cm += np.bincount(actual * n + predicted, minlength=n * n).reshape(n, n)

    def eval_time_series(self, labels, predictions, output_mask=None) -> None:
        """:meth:`eval` for 3-d ``[batch, classes, time]`` data; output_mask ``[batch, time]``."""
        y = host(labels, "labels")
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

    def to_dict(self) -> dict:
        """The counts and class names as JSON data; :meth:`from_dict` reads it back."""
        return {"kind": "classification", "confusion": None if self._cm is None else self._cm.tolist(),
                "labels": self.class_names}

    @classmethod
    def from_dict(cls, data: dict) -> Evaluation:
        ev = cls(labels=data.get("labels"))
        if data.get("confusion") is not None:
            ev._cm = np.asarray(data["confusion"], np.int64).reshape(len(data["confusion"]), -1)
        return ev

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


def _ratio(a, b):
    """a / b elementwise, 0 where b is 0."""
    return np.divide(a, b, out=np.zeros(len(a)), where=b > 0)
