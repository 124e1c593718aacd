"""Reference answers for notebooks/06_importing_time_series.ipynb: the full source of each answer cell."""

SOLUTIONS = {
    1: "skip_lines = 3   # two comment lines and the column names\n",
    2: "first_idx = 1949\nlast_idx = 1960\n",
    3: ("features_mask = [[0, 0, 0, 0, 1],\n"
        "                 [0, 0, 1, 0, 0],\n"
        "                 [0, 0, 0, 1, 0]]\n"
        "labels_mask = [[1, 1, 1, 1, 1],\n"
        "               [1, 1, 1, 0, 0],\n"
        "               [1, 1, 1, 1, 0]]\n"),
    4: ('modes = {"a": AlignmentMode.ALIGN_END, "b": AlignmentMode.ALIGN_START, "c": AlignmentMode.ALIGN_END}\n'),
}
