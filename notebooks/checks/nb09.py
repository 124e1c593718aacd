"""Checks for the exercises of 09_character_model.ipynb."""
from __future__ import annotations

import math
import numbers
import re

import numpy as np

from checks import MISSING, answered, verdict

TEMPERATURES = (0.3, 1.0, 1.6)


def _number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))


def exercise_1(bits, perplexity):
    """score 152.4 over windows of 100 characters: 152.4 / 100 / ln 2 bits, 2 ** bits perplexity."""
    if not answered(bits, perplexity):
        return False
    if not (_number(bits) and _number(perplexity)):
        return verdict(False, "", "both answers are numbers, e.g. bits = 1.5 and perplexity = 2 ** 1.5")
    want = 152.4 / 100 / math.log(2)
    ok_bits = math.isclose(bits, want, rel_tol=0.01)
    ok_ppl = math.isclose(perplexity, 2 ** want, rel_tol=0.02)
    if ok_bits and ok_ppl:
        return verdict(True, f"152.4 / 100 = 1.524 nats per character = 1.524 / ln 2 = {want:.3f} bits, perplexity "
                       f"2 ** {want:.3f} = e ** 1.524 = {2 ** want:.2f}: better than the bigram baseline, about as "
                       "unsure as a fair choice among 4.6 characters", "")
    if not ok_bits:
        if math.isclose(bits, 1.524, rel_tol=0.01):
            return verdict(False, "", "1.524 is the loss per character in nats (natural log); a bit is log base 2")
        if math.isclose(bits, 152.4 / math.log(2), rel_tol=0.01):
            return verdict(False, "", "that is the whole window's loss in bits; the score is summed over 100 steps")
        if math.isclose(bits, 1.524 / math.log(10), rel_tol=0.01) or math.isclose(bits, 1.524 * math.log(2), rel_tol=0.01):
            return verdict(False, "", "close: which way does the conversion go? log2(x) = ln(x) / ln(2)")
        return verdict(False, "", "divide the score by the number of steps (nats per character), then convert "
                       "nats to bits")
    return verdict(False, "", "bits is right; perplexity is 2 to the power of the bits (or e to the power of the nats)")


def _sample_stats(net, iterator, known_words, temperature):
    distinct, words, real = [], 0, 0
    from workbench.nn.sampling import sample_characters

    for seed in (1, 2, 3):
        text = sample_characters(net, iterator, "ROMEO:\n", 400, temperature=temperature, seed=seed)
        distinct.append(len(set(text)))
        found = re.findall(r"[a-z']+", text.lower())
        words += len(found)
        real += sum(w in known_words for w in found)
    return float(np.mean(distinct)), real / max(1, words)


def exercise_2(most_distinct, most_real_words, net, iterator, known_words):
    """Which of 0.3, 1.0, 1.6 gives the most distinct characters, which the largest share of real words."""
    if not answered(most_distinct, most_real_words, net, iterator, known_words):
        return False
    picks = []
    for v in (most_distinct, most_real_words):
        match = [t for t in TEMPERATURES if _number(v) and math.isclose(float(v), t)]
        if not match:
            return verdict(False, "", "answer each with one of the three temperatures: 0.3, 1.0 or 1.6")
        picks.append(match[0])
    try:
        stats = {t: _sample_stats(net, iterator, known_words, t) for t in TEMPERATURES}
    except Exception as err:
        return verdict(False, "", f"pass the notebook's net, shakespeare and known_words ({type(err).__name__}: {err})")
    distinct = max(TEMPERATURES, key=lambda t: stats[t][0])
    real = max(TEMPERATURES, key=lambda t: stats[t][1])
    table = "; ".join(f"{t}: {stats[t][0]:.0f} distinct characters, {100 * stats[t][1]:.0f} % real words"
                      for t in TEMPERATURES)
    if picks == [distinct, real]:
        return verdict(True, f"{table}. A high temperature flattens the distribution, so rare characters come up "
                       "(more variety) but words fall apart; a low one keeps to the likeliest characters: real, "
                       "common words, often repeated", "")
    if picks[0] != distinct:
        return verdict(False, "", "think of the two ends: at a temperature near 0 the network always takes the "
                       "likeliest character; very high, it draws nearly uniformly from all 65")
    return verdict(False, "", "the distinct characters are right. Which temperature sticks to the spellings the "
                   "network is surest of?")


def _reference(passage):
    counts, n = [], 0
    for ch in passage:
        n = n + 1 if ch.isalpha() else 0
        counts.append(n)
    return np.array(counts, float)


def exercise_3(letters_in_word, passage, cells):
    """letters_in_word(passage): letters of the current word read so far; then the best-matching cell."""
    if not answered(letters_in_word, passage, cells):
        return False
    if not callable(letters_in_word):
        return verdict(False, "", "letters_in_word must be a function: def letters_in_word(passage): ...")
    for probe in ("to be", "O, Romeo!\nAy"):
        try:
            got = list(letters_in_word(probe))
        except Exception as err:
            return verdict(False, "", f"letters_in_word({probe!r}) raised {type(err).__name__}: {err}")
        if any(v is ... for v in got):
            print(f"{MISSING}: replace the ... in letters_in_word, run the cell, then run this check again")
            return False
        try:
            values = np.array(got, float)
        except Exception:
            return verdict(False, "", f"letters_in_word({probe!r}) should give numbers, got {got!r}")
        want = _reference(probe)
        if values.shape != want.shape or not np.array_equal(values, want):
            return verdict(False, "", f"letters_in_word({probe!r}) gives {values.astype(int).tolist()}, expected "
                           f"{want.astype(int).tolist()}: count up by one after a letter, back to 0 otherwise")
    try:
        feature = np.array(letters_in_word(passage), float)
        c = np.asarray(cells, float)
        a = c - c.mean(axis=1, keepdims=True)
        b = feature - feature.mean()
        r = (a @ b) / np.sqrt((a * a).sum(axis=1) * (b * b).sum() + 1e-12)
    except Exception as err:
        return verdict(False, "", f"pass check_text and check_cells as in the check cell ({type(err).__name__}: {err})")
    unit = int(np.abs(r).argmax())
    runner_up = float(np.sort(np.abs(r))[-2])
    return verdict(True, f"unit {unit} follows it with a correlation of {r[unit]:+.2f} (the next best unit: "
                   f"{runner_up:.2f}). A word-position signal is there, but weaker and less clean than the line "
                   "position: colour the passage with coloured(check_text[:700], check_cells[unit, :700], '...') "
                   "to see it", "")


def _plain_rnn_bits(threshold):
    from workbench.data import CharacterIterator
    from workbench.data.datasets import tiny_shakespeare
    from workbench.nn import InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer, Sgd, SimpleRnn

    shakespeare = tiny_shakespeare()
    text = shakespeare.text
    cut = text.rindex("\n\n", 0, int(0.9 * len(text))) + 2
    conf = MultiLayerConfiguration([SimpleRnn(64), RnnOutputLayer(65, loss="mcxent", activation="softmax")],
                                   input_type=InputType.recurrent(65), updater=Sgd(0.03), seed=1,
                                   backprop_type="tbptt", tbptt_fwd_length=50,
                                   gradient_normalization="clip_l2_per_layer",
                                   gradient_normalization_threshold=float(threshold))
    rnn = MultiLayerNetwork(conf).init()
    rnn.track_layer_stats = True
    log = []
    data = CharacterIterator(text[:cut], batch_size=32, sequence_length=100, vocab=shakespeare.vocab, seed=0,
                             examples_per_epoch=32 * 150)
    rnn.fit(data, listeners=lambda it, epoch, score, info: log.append(
        (score / 50 / math.log(2), info["grad_norms"][0])))
    return np.array(log)


def exercise_4(threshold):
    """A clip_l2_per_layer threshold that stops the spikes yet lets the plain RNN end below 3.6 bits."""
    if not answered(threshold):
        return False
    if not _number(threshold) or not threshold > 0:
        return verdict(False, "", "threshold is a positive number, e.g. 5.0")
    from workbench.nn import TrainingDivergedError

    try:
        log = _plain_rnn_bits(threshold)
    except TrainingDivergedError:
        return verdict(False, "", "the loss became infinite: that threshold lets the explosion through; try smaller")
    peak, end = float(log[:, 0].max()), float(log[-50:, 0].mean())
    clipped = float((log[:, 1] > threshold).mean())
    said = (f"with θ = {threshold:g}: the loss peaked at {peak:.1f} bits and ended at {end:.2f} bits; "
            f"the RNN layer's gradient was clipped at {100 * clipped:.0f} % of the updates")
    if peak <= 9 and end < 3.6:
        return verdict(True, f"{said}. A threshold near the usual gradient norm leaves the ordinary steps (nearly) "
                       "alone and still stops the spikes, where θ = 5 shortened every step", "")
    if peak > 9:
        return verdict(False, "", f"{said}: the spikes got through, try a smaller threshold")
    return verdict(False, "", f"{said}: no spikes, but most steps were cut short, so it learns slowly; try a larger "
                   "threshold, nearer the norms of the unclipped run before it exploded")
