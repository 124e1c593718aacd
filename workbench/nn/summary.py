"""The text table ``MultiLayerNetwork.summary()`` prints."""
from __future__ import annotations


def network_summary(net) -> str:
    """A table of the layers of an initialised network (with the preprocessors before them):
    output shape per example and step, activation and parameter count."""
    conf, rows = net.conf, [("#", "layer", "output", "activation", "params")]
    for i, (lc, (a, b)) in enumerate(zip(conf.built_layers, net.param_slices)):
        if i in net.preprocessors:
            rows.append(("", f"  {type(net.preprocessors[i]).__name__}", "", "", ""))
        rows.append((str(i), type(lc).__name__, conf.layer_types[i][1].shape_text(),
                     getattr(lc, "activation", getattr(getattr(lc, "layer", None), "activation", "")),
                     f"{b - a:,}"))
    rows.append(("", "total", "", "", f"{net.num_params():,}"))
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    return "\n".join("  ".join(c.ljust(w) if k < 4 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)
