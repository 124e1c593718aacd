"""Reference answers for notebooks/08_uci_synthetic_control.ipynb (the full answer cells)."""
SOLUTIONS = {
    1: 'raw_effect = "b"  # clearly lower: the tanh units saturate\n',
    2: 'confused_with = "upward shift"\nreason = "a"\n',
    3: "smallest_hidden = 16\n",
    4: ('last_step_layers = [LastTimeStep(LSTM(16)),\n'
        '                    OutputLayer(6, loss="mcxent", activation="softmax")]\n'),
}
