"""Reference answers for the exercises of notebooks/03_masking_and_sequence_classification.ipynb."""
SOLUTIONS = {
    1: "most_speakers_sorted = 2     # an int from 1 to 9\nmost_speakers_shuffled = 9   # an int from 1 to 9\n",
    2: 'choice = "a"   # "a", "b" or "c"\n',
    3: "last_steps = [2, 5, 5]   # three ints\nreal_steps = [3, 4, 6]   # three ints\n",
    4: 'choice = "b"   # "a", "b" or "c"\n',
}
