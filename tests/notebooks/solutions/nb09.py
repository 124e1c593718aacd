"""Reference answers for the exercises of notebooks/09_character_model.ipynb."""
SOLUTIONS = {
    1: "bits = 152.4 / 100 / math.log(2)     # bits per character\nperplexity = 2 ** bits                # 2 ** bits\n",
    2: "most_distinct = 1.6     # 0.3, 1.0 or 1.6\nmost_real_words = 0.3   # 0.3, 1.0 or 1.6\n",
    3: ("def letters_in_word(passage):\n    counts, n = [], 0\n    for ch in passage:\n"
        "        n = n + 1 if ch.isalpha() else 0\n        counts.append(n)\n    return np.array(counts)\n"),
    4: "threshold = 20.0    # a float: gradient_normalization_threshold for \"clip_l2_per_layer\"\n",
}
