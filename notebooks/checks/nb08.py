"""Checks for 08_uci_synthetic_control."""
from __future__ import annotations

import numbers

import numpy as np

from checks import answered, letter, verdict



def _classifier(hidden=16, seed=1, layers=None, lr=0.005):
    from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    layers = layers or [LSTM(hidden), RnnOutputLayer(6, loss="mcxent", activation="softmax")]
    conf = MultiLayerConfiguration(layers, input_type=InputType.recurrent(1), updater=Adam(lr), seed=seed,
                                   gradient_normalization="clip_elementwise", gradient_normalization_threshold=0.5)
    return MultiLayerNetwork(conf).init()


def _accuracy(net, train, test, epochs=20):
    from workbench.data import ListDataSetIterator

    net.fit(ListDataSetIterator(train, batch_size=32), epochs=epochs)
    return net.evaluate(test).accuracy()


def exercise_1(raw_effect):
    """Raw values (0..64) into a tanh LSTM: clearly lower accuracy."""
    if not answered(raw_effect):
        return False
    choice = letter(raw_effect, "raw_effect")
    if choice is None:
        return False
    from workbench.data import datasets

    standardised = _accuracy(_classifier(), *datasets.uci_synthetic_control())
    raw = _accuracy(_classifier(), *datasets.uci_synthetic_control(normalize=False))
    print(f"test accuracy after 20 epochs: standardised {standardised:.3f}, raw values {raw:.3f}")
    measured = "a" if abs(raw - standardised) < 0.05 else ("b" if raw < standardised else "c")
    return verdict(choice == measured,
                   right="values of 20 to 60 drive the LSTM's tanh and sigmoid units into saturation, where their "
                         "gradients are nearly 0, so learning is slow and erratic; standardising keeps them in range",
                   hint="think of what tanh(30) and tanh(40) look like to the network, and what the gradient of "
                        "tanh is out there")


def exercise_2(confused_with, reason):
    """Increasing trend is confused with upward shift."""
    if not answered(confused_with, reason):
        return False
    from workbench.data import ListDataSetIterator
    from workbench.data import datasets
    from workbench.eval import last_time_step

    classes = datasets.UCI_CLASS_NAMES
    if confused_with not in classes:
        return verdict(False, "", f"confused_with should be one of {list(classes)}, got {confused_with!r}")
    choice = letter(reason, "reason")
    if choice is None:
        return False
    train, test = datasets.uci_synthetic_control()
    y_train = last_time_step(train.labels, train.labels_mask).argmax(axis=1)
    y_test = last_time_step(test.labels, test.labels_mask).argmax(axis=1)
    a, b = train.features[:, 0, :], test.features[:, 0, :]
    nearest = y_train[((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)]
    net = _classifier()
    net.fit(ListDataSetIterator(train, batch_size=32), epochs=3)
    brief = net.evaluate(test).confusion_matrix()
    inc = classes.index("increasing trend")
    mistakes = np.zeros(6, int)
    for c in range(6):
        if c != inc:
            mistakes[c] = int(((y_test == inc) & (nearest == c)).sum() + ((y_test == c) & (nearest == inc)).sum()
                              + brief[inc, c] + brief[c, inc])
    worst = classes[int(mistakes.argmax())]
    print("mistakes between 'increasing trend' and each other class (1-NN + a 3-epoch LSTM, both ways):",
          {classes[c]: int(mistakes[c]) for c in range(6) if c != inc})
    if confused_with != worst:
        return verdict(False, "", f"not {confused_with!r}: which other class also ends well above where it starts?")
    return verdict(choice == "a",
                   right=f"'{worst}': both end higher than they start; a trend gets there by a slope, a shift by a "
                         "step, and with noise a gentle slope and an early small step look much the same",
                   hint="the class is right; now the reason: which of a, b, c is true of both classes?")


def exercise_3(smallest_hidden):
    """Smallest of LSTM(2), LSTM(4), LSTM(8), LSTM(16) reaching 95 % test accuracy in 20 epochs."""
    if not answered(smallest_hidden):
        return False
    sizes = (2, 4, 8, 16)
    if not (isinstance(smallest_hidden, numbers.Integral) and smallest_hidden in sizes):
        return verdict(False, "", f"smallest_hidden should be one of {list(sizes)}, got {smallest_hidden!r}")
    from workbench.data import datasets

    train, test = datasets.uci_synthetic_control()
    measured, found = {}, None
    for h in sizes:
        measured[h] = round(_accuracy(_classifier(hidden=h), train, test), 3)
        if measured[h] >= 0.95:
            found = h
            break
    print("test accuracy after 20 epochs:", {f"LSTM({h})": a for h, a in measured.items()})
    return verdict(smallest_hidden == found,
                   right=f"LSTM({found}) is the first to reach 95 %: fewer units learn something (well above the "
                         "1/6 of a guess) but cannot hold a trend, a cycle and a shift apart within this budget",
                   hint="tiny LSTMs learn part of the task; try to picture how many numbers of state it takes to "
                        "tell six shapes apart, then count again")


def exercise_4(last_step_layers):
    """LastTimeStep(LSTM(16)) + OutputLayer(6): the many-to-one classifier without a labels mask."""
    if not answered(last_step_layers):
        return False
    from workbench.data import DataSet
    from workbench.data import datasets
    from workbench.eval import last_time_step
    from workbench.nn import LSTM, LastTimeStep, OutputLayer

    if not isinstance(last_step_layers, (list, tuple)) or len(last_step_layers) != 2:
        return verdict(False, "", "last_step_layers should be a list of two layers: [LastTimeStep(...), OutputLayer(...)]")
    first, second = last_step_layers
    if not isinstance(first, LastTimeStep):
        return verdict(False, "", f"the first layer should be LastTimeStep(LSTM(16)), got {first!r}")
    if not isinstance(first.layer, LSTM) or first.layer.n_out != 16:
        return verdict(False, "", f"LastTimeStep should wrap LSTM(16), got {first.layer!r}")
    if not isinstance(second, OutputLayer) or second.n_out != 6:
        return verdict(False, "", f"the second layer should be OutputLayer(6, ...), got {second!r}")
    if second.loss != "mcxent" or second.activation != "softmax":
        return verdict(False, "", f'the output layer should use loss="mcxent" and activation="softmax", got '
                                  f"loss={second.loss!r}, activation={second.activation!r}")
    try:
        net = _classifier(layers=list(last_step_layers))
    except Exception as err:            # a configuration the library refuses: say why, never raise
        return verdict(False, "", f"the network could not be built: {err}")
    train, test = datasets.uci_synthetic_control()
    as_rows = [DataSet(d.features, last_time_step(d.labels, d.labels_mask)) for d in (train, test)]
    print("labels per chart:", as_rows[0].labels.shape, "(no labels mask)")
    accuracy = _accuracy(net, *as_rows)
    print(f"test accuracy after 20 epochs: {accuracy:.3f}")
    return verdict(accuracy >= 0.9,
                   right="LastTimeStep hands the output layer the LSTM's state at the last step, so the labels are "
                         "one row per chart and no labels mask is needed; same model, other bookkeeping",
                   hint="the layers look right but the accuracy is low; compare with section 2's settings")
