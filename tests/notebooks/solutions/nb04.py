"""Reference answers for the exercises of notebooks/04_combining_layers.ipynb."""
SOLUTIONS = {
    1: "row_in_32 = 5 * 32 + 2   # 162\nrow_in_8 = 5 * 8 + 2     # 42\n",
    2: 'bottleneck_effect = "b"\n',
    3: 'before_dense = "CnnToFeedForwardPreProcessor"\nbefore_lstm = "FeedForwardToRnnPreProcessor"\n',
    4: "lstm_n_in = 6 * 4 * 4\n",
}
