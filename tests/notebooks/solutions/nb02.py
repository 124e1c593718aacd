"""Reference answers for the exercises of notebooks/02_truncated_bptt.ipynb."""
SOLUTIONS = {
    1: "updates_per_epoch = 20    # an int\nlast_segment_steps = 8   # an int\n",
    2: "def loss_per_step(score, t0, t1):\n    return score / (t1 - t0)\n",
    3: "tbptt_fwd_length = 25    # an int\ntbptt_back_length = 25   # an int, at most tbptt_fwd_length\n",
}
