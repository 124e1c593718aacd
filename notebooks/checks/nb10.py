"""Checks of notebook 10 (runs and sweeps): how many points a grid trains, picking the best point
of a sweep, and whether data-parallel training pays."""
from __future__ import annotations

from checks import answered, verdict

# exercise 1: the spaces the student counts (kept here, so the check and the notebook's text agree)
GRID = {"updater.lr": [1e-3, 3e-3, 1e-2, 3e-2], "layers.0.n_out": [16, 32, 64]}
SEEDED = {**GRID, "seed": [1, 2, 3]}
SAMPLES = 5


def _count(value):
    """``value`` as an int when it is a whole number (not a bool), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def exercise_1(runs_grid, runs_sampled, runs_seeded):
    """How many networks: the grid GRID, the same with n_samples=5, and GRID with three seeds."""
    if not answered(runs_grid, runs_sampled, runs_seeded):
        return False
    from workbench.distributed.sweeps import points
    truth = (len(points(GRID)), len(points(GRID, SAMPLES, seed=0)), len(points(SEEDED)))
    given = tuple(_count(v) for v in (runs_grid, runs_sampled, runs_seeded))
    if None in given:
        return verdict(False, "", "each answer is a whole number of trained networks (an int such as 7)")
    wrong = [name for name, g, t in zip(("runs_grid", "runs_sampled", "runs_seeded"), given, truth) if g != t]
    return verdict(not wrong,
                   right=f"{truth[0]} = 4 x 3: every key multiplies the grid (itertools.product over the lists); "
                         f"n_samples={SAMPLES} trains {truth[1]} distinct combinations drawn from those "
                         f"{truth[0]}; a list of 3 seeds triples the bill to {truth[2]}, the price of seeing how "
                         "much of a difference between points is luck of the initialisation.",
                   hint=f"look again at {', '.join(wrong)}. A sweep trains one network per combination of "
                        "one value from each list; n_samples picks that many of those combinations.")


def exercise_2(best, results):
    """``best``: the SweepResult of ``results`` with the highest validation accuracy."""
    if not answered(best, results):
        return False
    from workbench.distributed import SweepResult
    if not isinstance(best, SweepResult):
        return verdict(False, "", f"best should be one of the SweepResult objects in results (got "
                                  f"{type(best).__name__}); max(results, key=...) returns one")
    try:
        scored = [r for r in results if isinstance(r, SweepResult) and r.error is None and r.evaluation is not None]
        if not scored or best.evaluation is None:
            return verdict(False, "", "pick a point that trained: its evaluation holds the validation accuracy")
        top = max(r.evaluation.accuracy() for r in scored)
        ok = any(best is r for r in results) and best.evaluation.accuracy() == top
    except Exception:                                 # noqa: BLE001 - results replaced by something else
        return verdict(False, "", "results should still be the list sweep returned in section 3 (run that cell "
                                  "again), and best one of its items")
    right, test_accuracy = "", None
    if ok:
        try:                                          # the chosen point, trained again, on the untouched test set
            from workbench.data import ListDataSetIterator, datasets
            from workbench.nn import MultiLayerNetwork
            uci_train, uci_test = datasets.uci_synthetic_control()
            train_part, _ = uci_train.split_test_and_train(360)
            net = MultiLayerNetwork(best.conf).init()
            net.fit(ListDataSetIterator(train_part, 32), epochs=5)
            test_accuracy = net.evaluate(uci_test).accuracy()
        except Exception as exc:                      # noqa: BLE001 - a check never raises
            right = f" (could not evaluate it on the test set: {exc})"
        if test_accuracy is not None:
            right = (f" Trained again (the same seed: the same network) it scores {test_accuracy:.3f} on the "
                     f"150 test charts it never saw, against {top:.3f} on the 90 validation charts it was "
                     "chosen on: the test number is the one to report, the validation one is a little "
                     "optimistic by construction, and on 90 charts one chart is 1.1 points.")
    return verdict(ok, right=f"{best.params} has the highest validation accuracy, {top:.3f}.{right}",
                   hint="compare r.evaluation.accuracy() over the points: max(results, key=lambda r: ...) picks "
                        "the largest")


# exercise 3: the cases of the notebook's text, with the docs' measurements (docs/scaling.md)
CASES = {"a": False,     # LSTM 16 on UCI, minibatch 32 x 60: ~2 ms per update alone
         "b": True,      # LSTM 256, minibatch 256 x 100: 527 ms per update alone, 1.62x on 2 workers
         "c": False}     # that LSTM 256 on GPUs that compute an update in ~5 ms


def exercise_3(pays):
    """``pays``: {"a": bool, "b": bool, "c": bool}: do 2 workers (k = 1) beat one process?"""
    if not answered(pays):
        return False
    if not isinstance(pays, dict) or set(pays) != set(CASES):
        return verdict(False, "", 'pays should be a dict with the keys "a", "b" and "c", each True or False')
    if not all(isinstance(v, bool) for v in pays.values()):
        return verdict(False, "", "each value of pays is True (two workers are faster) or False")
    wrong = sorted(k for k in CASES if pays[k] != CASES[k])
    return verdict(not wrong,
                   right="each update costs a fixed round trip of ~13 ms (two tasks out, one gather back) "
                         "plus packing and sending the parameters and gradients (about 40 ms more for 1 MB of "
                         "them), however small the minibatch. "
                         "(a) 2 ms of work cannot hide that; (b) 527 ms of work split in two can (1.6x "
                         "measured); (c) a 5 ms GPU update is case (a) again: that is where parameter "
                         "averaging (averaging_frequency=k), bigger minibatches or NCCL all-reduce come in.",
                   hint=f"look again at {', '.join(wrong)}: compare the work of one update alone with the "
                        "fixed cost of one round trip to the workers (the dashed model lines of the figure)")
