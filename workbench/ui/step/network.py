"""Which network the Step tab shows and how: a notebook's own network, a copy of the session's
with its latest parameters, or (before training) a new network made from the configuration;
stepped with ``rnn_time_step``, scrubbed through one full pass when it is bidirectional, or
neither, with the reason in words the page can show.
"""
from __future__ import annotations

from workbench.nn import MultiLayerNetwork
from workbench.ui.step.examples import char_iterator, char_label

SCRUB_NOTICE = ("This network has a bidirectional layer: its backward half reads the sequence from the end, so it "
                "needs the whole sequence at once and cannot be fed one step at a time. Instead this tab runs one "
                "full pass over the example: drag the Step slider to move through time.")
UNTRAINED_NOTE = "An untrained network made from the configuration: train it in the Train tab to see what it learns."


def copy_note(net) -> str:
    return (f"The session's network after {net.iteration_count:,} updates (epoch {net.epoch_count}). This tab "
            "takes the latest parameters when you open it and when a run ends.")


def pick_network(session, given=None) -> tuple:
    """(network or None, the session network it copies or None, note, problem or None). A given
    network is copied too: stepping must not touch its stored state (nor another view's)."""
    if given is not None:
        return given.copy(), None, "", None
    if session.net is not None:
        net = session.latest_network()
        return net, session.net, copy_note(net), None
    if session.conf is None:
        return None, None, "", "The configuration is not valid yet: fix it in the Build tab to see a network here."
    try:
        net = MultiLayerNetwork(session.conf, backend=session.backend).init()
    except Exception as exc:                      # say it in the page; the Build tab shows the details
        return None, None, "", (f"The network cannot be built from this configuration ({exc}): change it in "
                                "the Build tab.")
    return net, None, UNTRAINED_NOTE, None


def step_mode(net, problem=None) -> tuple:
    """("step" | "scrub" | "off", (notice, kind) or None) for ``net`` (None: ``problem`` says why)."""
    if net is None:
        return "off", (problem, "warning")
    if any(lc.is_bidirectional for lc in net.conf.built_layers):
        return "scrub", (SCRUB_NOTICE, "info")
    problem = net.step_problem()
    if problem:
        return "off", (f"{problem[0].upper()}{problem[1:]}: this tab needs a recurrent network over a time series "
                       "(see the Build and Data tabs).", "warning")
    return "step", None


def output_kind(session, net, notebook: bool) -> tuple:
    """(kind: "classification" | "regression" | "characters", class names or None) of the output
    panel: the session task's, or for a notebook's network and sequence, guessed from its last layer."""
    if session is not None and not notebook:
        kind, names = session.task.kind, list(session.task.class_names or ()) or None
    else:
        last = None if net is None else net.conf.built_layers[-1]
        kind, names = ("classification" if getattr(last, "activation", "") == "softmax" else "regression"), None
    it = char_iterator(session)
    if kind == "characters" and it is not None:
        names = [char_label(c) for c in it.vocab]
    return kind, names


def layer_name(lc) -> str:
    """"LSTM", or with the wrapped layer: "Bidirectional(LSTM)"."""
    inner = getattr(lc, "layer", None)
    return type(lc).__name__ + (f"({type(inner).__name__})" if inner is not None else "")
