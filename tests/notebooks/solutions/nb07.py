"""Reference answers for notebooks/07_bidirectional_and_one_to_many.ipynb (the full answer cells)."""
SOLUTIONS = {
    1: "predicted_accuracy = 0.25  # 4 equally likely symbols, and nothing to go on\n",
    2: 'widths = {"concat": 12, "add": 6, "mul": 6, "average": 6}\n',
    3: ("padded_mask = (np.arange(10)[None, :] < np.array([3, 7, 10])[:, None]).astype(np.float32)\n"
        "backward_start = 6   # the 7-step series' last real step\n"),
    4: "steps_counted = 1  # the loss borrows the features mask: step 0 only\n",
}
