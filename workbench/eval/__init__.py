"""Evaluation, as DL4J's ``Evaluation`` and ``RegressionEvaluation``, and the last time step of a series.

* :class:`Evaluation` (classification): labels are one-hot and predictions are scores or
  probabilities, ``[batch, classes]`` or ``[batch, classes, time]``; for both, the class is the
  argmax over axis 1. The confusion matrix is indexed ``[actual, predicted]``.
* :class:`RegressionEvaluation`: per-column MSE, MAE, RMSE and R^2 of ``[batch, columns]`` or
  ``[batch, columns, time]`` data.
* :func:`evaluate`: a network's evaluation on data by the kind of task (classification or
  regression).
* :func:`last_time_step` / :func:`last_time_step_indices`: each example's output at its last
  unmasked step (sequence classification after training, as in the DL4J guide).

Masks are 1 = counts, 0 = skipped (bool or float): ``[batch]`` or ``[batch, 1]`` for 2-d data,
``[batch, time]`` for 3-d data. Inputs may be NumPy or CuPy arrays; results are NumPy.
"""
from workbench.eval.classification import Evaluation
from workbench.eval.last_step import last_time_step, last_time_step_indices
from workbench.eval.of_network import evaluate
from workbench.eval.regression import RegressionEvaluation



def evaluation_from_dict(data: dict):
    """An Evaluation or RegressionEvaluation from its ``to_dict()`` (by ``data["kind"]``)."""
    return (RegressionEvaluation if data.get("kind") == "regression" else Evaluation).from_dict(data)


__all__ = ["Evaluation", "RegressionEvaluation", "evaluate", "evaluation_from_dict", "last_time_step", "last_time_step_indices"]
