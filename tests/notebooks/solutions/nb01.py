"""Reference answers for notebooks/01_data_and_masks.ipynb: the full source of each answer cell."""

SOLUTIONS = {
    1: "features_shape = (8, 3, 720)   # 8 stations, 3 measurements, 30 * 24 hours\nlabels_shape = (8, 2, 720)     # 2 classes at every hour\n",
    2: ("features_mask = [[1, 1, 1, 1, 0],\n"
        "                 [1, 1, 0, 0, 0],\n"
        "                 [1, 1, 1, 1, 1]]\n"
        "labels_mask = [[0, 0, 0, 1, 0],\n"
        "               [0, 1, 0, 0, 0],\n"
        "               [0, 0, 0, 0, 1]]\n"),
    3: 'year_mask = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]\nwhy = "a"\n',
}
