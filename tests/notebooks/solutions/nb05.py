"""Reference answers for the exercises of notebooks/05_rnn_time_step.ipynb."""
SOLUTIONS = {
    1: '''def forecast_ahead(net, y, k):
    predictions = [y]
    while len(predictions) < k:
        y = net.rnn_time_step(to_input(predictions[-1]))
        predictions.append(y)
    return np.concatenate(predictions, axis=1)   # [1, k]
''',
    2: 'after_clearing = "b"\n',
    3: "cool = 0.05\nhot = 3.0\n",
}
