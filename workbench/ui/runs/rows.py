"""What the Runs tab shows of a stored run, from its configuration dict and settings: the table's
row and the numeric hyperparameters of the parallel coordinates. Pure functions, no Panel."""
from __future__ import annotations

import time

from workbench.errors import ConfigurationError
from workbench.nn import MultiLayerConfiguration

COLUMNS = ("id", "name", "task", "sweep", "status", "layers", "updater", "backprop", "epochs", "seed", "updates",
           "duration (s)", "started")
METRICS_AT = COLUMNS.index("updates")           # the final metrics go between seed and updates


def table_rows(runs) -> list:
    """One dict per run: id, name, task, sweep (its name, "" for a run of its own), status,
    layers, updater, backprop, epochs, seed, a column per final metric any run has (None where a
    run lacks it), updates, duration (s), started."""
    metrics = metric_names(runs)
    now = time.time()
    rows = []
    for r in runs:
        conf = r.configuration
        end = r.ended if r.ended is not None else now
        rows.append({"id": r.id, "name": r.name, "task": r.task, "sweep": sweep_of(r), "status": r.status,
                     "layers": layers_text(conf.get("layers", [])), "updater": updater_text(conf.get("updater")),
                     "backprop": backprop_text(conf), "epochs": r.settings.get("epochs"),
                     "seed": r.seed if r.seed is not None else conf.get("seed"),
                     **{m: r.final_metrics.get(m) for m in metrics}, "updates": r.updates,
                     "duration (s)": None if r.started is None else round(end - r.started, 1),
                     "started": "" if r.started is None else time.strftime("%Y-%m-%d %H:%M:%S",
                                                                           time.localtime(r.started))})
    return rows


def sweep_of(run) -> str:
    """The name of the sweep ``run`` is a point of ("" when none)."""
    return str(run.settings.get("sweep") or "")


def metric_names(runs) -> list:
    return sorted({m for r in runs for m in r.final_metrics})


def layer_text(layer: dict) -> str:
    """e.g. "LSTM 64", "Bidirectional(LSTM 32)", "RnnOutputLayer" (an output layer's size is the data's)."""
    if isinstance(layer.get("layer"), dict):
        return f"{layer['type']}({layer_text(layer['layer'])})"
    if "loss" in layer or layer.get("n_out") is None:
        return str(layer.get("type"))
    return f"{layer['type']} {layer['n_out']}"


def layers_text(layers: list) -> str:
    """e.g. "LSTM 64 > RnnOutputLayer"."""
    return " > ".join(layer_text(layer) for layer in layers)


def updater_text(updater: dict | None) -> str:
    """e.g. "Adam 0.001"."""
    if not updater:
        return ""
    return f"{updater.get('type')} {updater['lr']:g}" if "lr" in updater else str(updater.get("type"))


def backprop_text(conf: dict) -> str:
    """"standard", or "TBPTT 50/25" (forward / backward length)."""
    if conf.get("backprop_type") != "tbptt":
        return conf.get("backprop_type", "")
    fwd = conf.get("tbptt_fwd_length")
    return f"TBPTT {fwd}/{conf.get('tbptt_back_length') or fwd}"


def hyperparameters(run) -> dict:
    """The run's hyperparameters: "layer <i> units" of each hidden layer, "lr", "l1", "l2",
    "tbptt_fwd_length" and "tbptt_back_length" (with truncated BPTT), "epochs", "seed" and
    "parameters" (when the configuration builds), numbers all; a sweep's point adds each field it
    set under its path ("updater.beta1"; a number or a str) unless one of those names it already."""
    conf, out = run.configuration, {}
    layers = conf.get("layers", [])
    for i, layer in enumerate(layers[:-1]):
        inner = layer.get("layer") if isinstance(layer.get("layer"), dict) else layer
        if isinstance(inner.get("n_out"), int):
            out[f"layer {i} units"] = inner["n_out"]
    out["lr"] = (conf.get("updater") or {}).get("lr")
    out["l1"], out["l2"] = conf.get("l1"), conf.get("l2")
    if conf.get("backprop_type") == "tbptt":
        fwd = conf.get("tbptt_fwd_length")
        out["tbptt_fwd_length"], out["tbptt_back_length"] = fwd, conf.get("tbptt_back_length") or fwd
    out["epochs"] = run.settings.get("epochs")
    out["seed"] = run.seed if run.seed is not None else conf.get("seed")
    try:
        out["parameters"] = MultiLayerConfiguration.from_dict(conf).num_params()
    except ConfigurationError:
        pass
    out = {k: v for k, v in out.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for path, value in (run.settings.get("params") or {}).items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            out.setdefault(_known_name(path), value)
    return out


def _known_name(path: str) -> str:
    """The name :func:`hyperparameters` gives the field at ``path`` ("updater.lr" -> "lr",
    "layers.0.n_out" -> "layer 0 units"), or the path."""
    parts = path.split(".")
    if path == "updater.lr":
        return "lr"
    if parts[0] == "layers" and parts[-1] == "n_out" and len(parts) in (3, 4) and parts[1].isdigit():
        return f"layer {parts[1]} units"
    return path
