"""Reference answers of notebook 10 (runs and sweeps)."""
SOLUTIONS = {
    1: "runs_grid = 12      # 4 learning rates x 3 sizes\n"
       "runs_sampled = 5    # n_samples=5: 5 distinct combinations of the 12\n"
       "runs_seeded = 36    # x 3 seeds\n",
    2: "best = max(results, key=lambda r: r.evaluation.accuracy())\n"
       "print(best.params, best.evaluation.accuracy())\n",
    3: 'pays = {"a": False, "b": True, "c": False}\n',
}
