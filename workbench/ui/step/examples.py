"""The sequences the Step tab can feed: a notebook's own sequence, windows of a character
model's text, or examples of the session's test (else training) data cut to their real steps.

Each example is a getter returning ``(features [n_in, T], labels [n_out, T] or [n_out] or None,
labels mask [T] or None)``, so thousands of examples cost nothing until one is shown.
"""
from __future__ import annotations

import numpy as np

from workbench.backend import to_numpy

MAX_EXAMPLES = 2000        # examples offered by the example slider


def char_iterator(session):
    """The session's CharacterIterator when its task is a character model, else None."""
    if session is None or session.task.kind != "characters":
        return None
    it = session.train_data
    return it if hasattr(it, "one_hot") and hasattr(it, "decode") else None


def char_label(c: str) -> str:
    """A character as a readable bar label (newline, space and tab made visible)."""
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


def prompt_problem(iterator, prompt: str) -> str | None:
    """Why ``prompt`` cannot start a character model's text (None when it can)."""
    if iterator is None:
        return "Sampling needs a character model: choose the Tiny Shakespeare task in the Data tab."
    if not prompt:
        return "Type a prompt of at least one character to start the text from."
    unknown = sorted(set(prompt) - set(iterator.vocab))
    if unknown:
        return (f"The model does not know {', '.join(map(repr, unknown))}: use characters of the training text "
                "in the prompt.")
    return None


def given_sequence(sequence, labels=None) -> list:
    """The one example of a notebook's ``sequence`` ``[n_in, T]`` or ``[1, n_in, T]``, with its
    ``labels`` ``[n_out, T]`` or ``[1, n_out, T]`` (the truth drawn beside the outputs) if given."""
    x, y = (None if a is None else to_numpy(a) for a in (sequence, labels))
    x = x[0] if x.ndim == 3 and x.shape[0] == 1 else x
    if x.ndim != 2:
        raise ValueError(f"sequence: expected [n_in, T] or [1, n_in, T], got shape {x.shape}")
    if y is not None:
        y = y[0] if y.ndim == 3 and y.shape[0] == 1 else y
        if y.ndim != 2 or y.shape[1] != x.shape[1]:
            raise ValueError(f"labels: expected [n_out, T={x.shape[1]}] or [1, n_out, T], got shape {y.shape}")
    return [lambda: (x, y, None)]


def session_examples(session) -> list:
    """Up to MAX_EXAMPLES example getters from the session's data."""
    it = char_iterator(session)
    if it is not None:                         # windows of the text, as the iterator cuts them
        L = it.sequence_length

        def window(i):
            chunk = it.text[i * L:(i + 1) * L + 1]
            return it.one_hot(chunk[:-1])[0], it.one_hot(chunk[1:])[0], None
        return [lambda i=i: window(i) for i in range(min(it.num_windows, MAX_EXAMPLES))]
    data = session.test_data if session.test_data is not None else session.train_data
    if data is None:
        return []
    getters = []
    for ds in [data] if hasattr(data, "features") else data:
        getters += [lambda ds=ds, r=r: _example(ds, r) for r in range(ds.features.shape[0])]
        if len(getters) >= MAX_EXAMPLES:
            break
    return getters[:MAX_EXAMPLES]


def _example(ds, r):
    """Example ``r`` of a DataSet, without the padded steps of its features mask."""
    x = to_numpy(ds.features[r])
    y = to_numpy(ds.labels[r])
    lm = None if ds.labels_mask is None else to_numpy(ds.labels_mask[r])
    if ds.features_mask is not None and x.ndim == 2:
        keep = to_numpy(ds.features_mask[r]) > 0
        x = x[:, keep]
        if y.ndim == 2 and y.shape[1] == keep.size:
            y = y[:, keep]
            lm = None if lm is None or lm.size != keep.size else lm[keep]
    return x, y, lm


def label_at(labels, labels_mask, t: int):
    """The class index labelled at step ``t`` (1-based), or at the example's labelled step for a
    many-to-one example; None when there is none."""
    y, lm = labels, labels_mask
    if y is None or t == 0:
        return None
    if y.ndim == 1:
        return int(np.argmax(y))
    j = t - 1
    if lm is not None and not lm[min(j, lm.size - 1)] > 0:
        marked = np.nonzero(lm > 0)[0]
        if not marked.size:
            return None
        j = int(marked[-1])
    return int(np.argmax(y[:, min(j, y.shape[1] - 1)]))
