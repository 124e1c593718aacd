"""ONNX export: ``export_onnx(net, path)`` writes a network that onnxruntime runs with the results
of ``net.output``.

Graph inputs: ``"features"`` ``[batch, n_in, time]`` float32 (``[batch, n_in]`` for a
feed-forward network) and, with ``mask=True`` and a recurrent input, ``"features_mask"``
``[batch, time]`` of 0/1 (series padded at the end), turned into the recurrent operators'
``sequence_lens``. Output ``"output"``: ``[batch, n_out, time]``, or ``[batch, n_out]`` after
``LastTimeStep`` or a feed-forward output layer. Batch and time axes are dynamic.

Inside, recurrent data is time-major ``[time, batch, features]`` as in the engine and as the ONNX
``LSTM`` / ``RNN`` operators take it; one transpose at each end. Our gate blocks are i, f, g, o
and peepholes i, f, o; the operator's are i, o, f, c and i, o, f: the weights are reordered, and
written in float32 (onnxruntime's LSTM has no double). Bidirectional layers are one operator with
``direction="bidirectional"`` whose reverse half, like ours, starts at each example's last valid
step; the two halves are then merged by the layer's mode. A layer or preprocessor with no ONNX
form raises :class:`~workbench.errors.ConfigurationError` naming it (index and type).

Needs the ``onnx`` package (``pip install rnn-workbench[onnx]``); running the model needs
``onnxruntime``::

    export_onnx(net, "model.onnx")
    session = onnxruntime.InferenceSession("model.onnx")
    y = session.run(["output"], {"features": x.astype("float32"), "features_mask": m.astype("float32")})[0]
"""
from __future__ import annotations

from pathlib import Path

from workbench.backend import cpu, to_numpy
from workbench.errors import ConfigurationError, InvalidInputError

np = cpu.xp                 # the weights are written from host arrays
DEFAULT_OPSET = 17
MIN_OPSET = 14              # LSTM/RNN with the layout we write, Softmax on one axis, ReduceSum axes as input
IOFC = (0, 3, 1, 2)         # the operator's gate blocks i, o, f, c as indices of ours (i, f, g, o)
PEEP_IOF = (0, 2, 1)        # its peepholes i, o, f as rows of ours (i, f, o)
RECURRENT_ACTIVATIONS = {"tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}), "relu": ("Relu", {}),
                         "softsign": ("Softsign", {}), "hardsigmoid": ("HardSigmoid", {"alpha": 0.2, "beta": 0.5}),
                         "leakyrelu": ("LeakyRelu", {"alpha": 0.01}), "identity": ("Affine", {"alpha": 1.0, "beta": 0.0})}
DENSE_ACTIVATIONS = {"tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}), "relu": ("Relu", {}),
                     "softsign": ("Softsign", {}), "hardsigmoid": ("HardSigmoid", {"alpha": 0.2, "beta": 0.5}),
                     "leakyrelu": ("LeakyRelu", {"alpha": 0.01}), "identity": ("Identity", {}),
                     "softmax": ("Softmax", {"axis": -1})}


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("export_onnx needs the onnx package: pip install 'rnn-workbench[onnx]' "
                          "(onnx and onnxruntime)") from None
    return onnx


class _Graph:
    """The nodes and weights being written; ``name(hint)`` gives each tensor a unique name."""

    def __init__(self, onnx):
        self.onnx, self.h = onnx, onnx.helper
        self.nodes, self.weights, self._count, self._ints = [], [], 0, {}

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, array) -> str:
        array = np.asarray(array)
        array = array.astype(np.float32) if array.dtype.kind == "f" else array
        name = self.name(hint)
        self.weights.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, inputs, hint: str | None = None, out: str | None = None, **attrs) -> str:
        """Add a node; returns the name of its output (``out``, or a new name from ``hint``)."""
        name = out or self.name(hint or op_type.lower())
        self.nodes.append(self.h.make_node(op_type, list(inputs), [name], **attrs))
        return name

    def ints(self, hint: str, *values) -> str:
        """An int64 vector constant (one initializer per distinct value)."""
        if values not in self._ints:
            self._ints[values] = self.const(hint, np.array(values, np.int64))
        return self._ints[values]


def export_onnx(net, path, opset: int | None = None, mask: bool = True) -> Path:
    """Write ``net`` (an initialised MultiLayerNetwork) to ``path`` as an ONNX model (see the module
    docstring); checked with ``onnx.checker``. Returns the path."""
    onnx = _onnx()
    opset = DEFAULT_OPSET if opset is None else opset
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise InvalidInputError(f"export_onnx: opset must be an int in [{MIN_OPSET}, "
                                f"{onnx.defs.onnx_opset_version()}], got {opset!r}")
    if not getattr(net, "layers", None) or net._flat is None:
        raise InvalidInputError("export_onnx: net must be an initialised MultiLayerNetwork (call net.init())")
    g = _Graph(onnx)
    conf, f32 = net.conf, onnx.TensorProto.FLOAT
    recurrent = net.input_type.kind == "recurrent"
    n_in = conf.built_layers[0].n_in
    inputs = [g.h.make_tensor_value_info("features", f32, ["batch", n_in, "time"] if recurrent else ["batch", n_in])]
    x = g.op("Transpose", ["features"], "time_major", perm=[2, 0, 1]) if recurrent else "features"
    lengths = None
    if recurrent and mask:
        inputs.append(g.h.make_tensor_value_info("features_mask", f32, ["batch", "time"]))
        total = g.op("ReduceSum", ["features_mask", g.ints("axis_1", 1)], keepdims=0)
        lengths = g.op("Cast", [total], "sequence_lens", to=onnx.TensorProto.INT32)
    batch = g.op("Gather", [g.op("Shape", ["features"]), g.ints("zero", 0)], "batch")
    kind = "recurrent" if recurrent else "feed_forward"
    for i, (layer_conf, layer) in enumerate(zip(conf.built_layers, net.layers)):
        if i in conf.built_preprocessors:
            x, kind = _preprocessor(g, conf.built_preprocessors[i], x, layer_conf.n_in, batch, i)
        x, kind = _layer(g, layer_conf, layer, x, kind, lengths, i)
    if kind == "recurrent":
        g.op("Transpose", [x], out="output", perm=[1, 2, 0])
    else:
        g.op("Identity", [x], out="output")
    n_out = conf.built_layers[-1].n_out
    outputs = [g.h.make_tensor_value_info("output", f32, ["batch", n_out, "time"] if kind == "recurrent"
                                          else ["batch", n_out])]
    opsets = [g.h.make_opsetid("", opset)]
    model = g.h.make_model(g.h.make_graph(g.nodes, "workbench", inputs, outputs, g.weights), opset_imports=opsets,
                           producer_name="rnn-workbench",       # the oldest IR of the opset: older runtimes load it
                           ir_version=g.h.find_min_ir_version_for(opsets))
    onnx.checker.check_model(model, full_check=True)
    path = Path(path)
    onnx.save(model, path)
    return path


def _unsupported(i: int, what: str, why: str = "") -> ConfigurationError:
    return ConfigurationError(f"export_onnx: layer {i} ({what}) has no ONNX export{why}; exported are LSTM, "
                              "GravesLSTM, SimpleRnn, Bidirectional, GravesBidirectionalLSTM, DenseLayer, "
                              "OutputLayer, RnnOutputLayer, LastTimeStep and the RNN <-> feed-forward "
                              "preprocessors", layer=i, field="type")


def _preprocessor(g, pre, x, F: int, batch, i):
    """``x`` reshaped by preprocessor ``pre`` (before layer ``i``, of ``F`` inputs), and its kind."""
    name = type(pre).__name__
    if name == "RnnToFeedForwardPreProcessor":          # [T, N, F] -> [T * N, F], time-major rows
        return g.op("Reshape", [x, g.ints("rows", -1, F)], "rows"), "feed_forward"
    if name == "FeedForwardToRnnPreProcessor":          # [T * N, F] -> [T, N, F]
        shape = g.op("Concat", [g.ints("minus_one", -1), batch, g.ints("features", F)], axis=0)
        return g.op("Reshape", [x, shape], "steps"), "recurrent"
    raise _unsupported(i, f"the {name} before it")


def _layer(g, c, layer, x, kind, lengths, i):
    name = type(c).__name__
    p = {k: to_numpy(v) for k, v in layer.params.items()}
    if name in ("LSTM", "GravesLSTM", "SimpleRnn"):
        return _recurrent(g, c, [p], x, lengths, i, name, merge=None), "recurrent"
    if name in ("Bidirectional", "GravesBidirectionalLSTM"):
        inner = c.layer if name == "Bidirectional" else c
        halves = [{k[1:]: v for k, v in p.items() if k[0] == d} for d in "fb"]
        mode = c.mode if name == "Bidirectional" else "add"
        return _recurrent(g, inner, halves, x, lengths, i, type(inner).__name__, merge=mode), "recurrent"
    if name == "LastTimeStep":
        y, _ = _layer(g, c.layer, layer.inner, x, kind, lengths, i)
        return _last_step(g, y, lengths), "feed_forward"
    if name in ("DenseLayer", "OutputLayer", "RnnOutputLayer"):
        if c.activation not in DENSE_ACTIVATIONS:
            raise _unsupported(i, name, f": activation {c.activation!r}")
        z = g.op("Add", [g.op("MatMul", [x, g.const(f"W{i}", p["W"])]), g.const(f"b{i}", p["b"])])
        op, attrs = DENSE_ACTIVATIONS[c.activation]
        return g.op(op, [z], f"layer{i}", **attrs), kind
    raise _unsupported(i, name)


def _recurrent(g, c, halves, x, lengths, i, name, merge):
    """One LSTM or RNN operator over ``halves`` (one param dict per direction); the output
    [T, N, H] (or [T, N, 2H] for a concatenating merge)."""
    H, lstm = c.n_out, name != "SimpleRnn"
    acts = [c.gate_activation, c.activation, c.activation] if lstm else [c.activation]
    for a in acts:
        if a not in RECURRENT_ACTIVATIONS:
            raise _unsupported(i, name, f": activation {a!r} (the operator has "
                                        f"{', '.join(RECURRENT_ACTIVATIONS)})")
    W, R, B, P = [], [], [], []
    for p in halves:
        order = [k * H + j for k in (IOFC if lstm else (0,)) for j in range(H)]
        W.append(p["W"][:, order].T)
        R.append(p["RW"][:, order].T)
        B.append(np.concatenate([p["b"][order], np.zeros(len(order))]))
        if lstm and "P" in p:
            P.append(p["P"][list(PEEP_IOF)].reshape(-1))
    names = [x, g.const(f"W{i}", np.stack(W)), g.const(f"R{i}", np.stack(R)), g.const(f"B{i}", np.stack(B)),
             lengths or ""]
    if P:
        names += ["", "", g.const(f"P{i}", np.stack(P))]
    ops = [RECURRENT_ACTIVATIONS[a] for a in acts] * len(halves)
    attrs = dict(hidden_size=H, direction="bidirectional" if merge else "forward",
                 activations=[op for op, _ in ops])
    # one value per function that takes it, in order (as onnxruntime reads them: a Sigmoid takes none)
    alphas, betas = [kw["alpha"] for _, kw in ops if "alpha" in kw], [kw["beta"] for _, kw in ops if "beta" in kw]
    if alphas:
        attrs["activation_alpha"] = alphas
    if betas:
        attrs["activation_beta"] = betas
    y = g.op("LSTM" if lstm else "RNN", names, f"layer{i}", **attrs)          # [T, D, N, H]
    if not merge:
        return g.op("Squeeze", [y, g.ints("axis_1", 1)])
    if merge == "concat":                                                    # forward first, as ours
        steps = g.op("Transpose", [y], perm=[0, 2, 1, 3])
        return g.op("Reshape", [steps, g.ints("concat", 0, 0, 2 * H)])
    fwd, bwd = (g.op("Squeeze", [g.op("Gather", [y, g.ints("direction", d)], axis=1), g.ints("axis_1", 1)])
                for d in (0, 1))
    if merge == "add":
        return g.op("Add", [fwd, bwd])
    if merge == "mul":
        return g.op("Mul", [fwd, bwd])
    return g.op("Mul", [g.op("Add", [fwd, bwd]), g.const("half", np.array(0.5, np.float32))])


def _last_step(g, y, lengths):
    """[N, H] of ``y`` [T, N, H] at each example's last valid step (the last step without a mask)."""
    if lengths is None:
        return g.op("Gather", [y, g.const("last", np.array(-1, np.int64))], axis=0)
    index = g.op("Sub", [g.op("Cast", [lengths], to=g.onnx.TensorProto.INT64), g.const("one", np.array(1, np.int64))])
    at = g.op("Unsqueeze", [index, g.ints("axes_0_2", 0, 2)])                # [1, N, 1]
    shape = g.op("Shape", [y])
    wide = g.op("Concat", [g.ints("one_step", 1), g.op("Slice", [shape, g.ints("s1", 1), g.ints("s3", 3)])], axis=0)
    picked = g.op("GatherElements", [y, g.op("Expand", [at, wide])], axis=0)   # [1, N, H]
    return g.op("Squeeze", [picked, g.ints("axis_0", 0)])
