"""Generating sequences from a trained network one step at a time (``rnn_time_step``)."""
from __future__ import annotations

from workbench.backend import cpu, to_numpy

np = cpu.xp


def sample_characters(net, iterator, prompt: str, length: int, temperature: float = 1.0, seed=None) -> str:
    """Text generated character by character from a character-level model.

    ``iterator`` is the ``CharacterIterator`` the model was trained with (its vocabulary);
    the stored state is cleared, primed with ``prompt`` in one ``rnn_time_step`` call, then each
    sampled character is fed back as the next single step. ``temperature`` < 1 sharpens the
    distribution, > 1 flattens it. Returns the ``length`` new characters.
    """
    if not prompt:
        raise ValueError("sample_characters: prompt must hold at least one character")
    if not temperature > 0:
        raise ValueError(f"sample_characters: temperature must be > 0, got {temperature!r}")
    rng = np.random.default_rng(seed)
    net.rnn_clear_previous_state()
    probs = to_numpy(net.rnn_time_step(iterator.one_hot(prompt)))[0, :, -1]
    eye = np.eye(iterator.vocab_size, dtype=np.float32)
    out = []
    for _ in range(length):
        logits = np.log(np.maximum(probs.astype(np.float64), 1e-30)) / temperature
        p = np.exp(logits - logits.max())
        k = int(rng.choice(len(p), p=p / p.sum()))
        out.append(k)
        probs = to_numpy(net.rnn_time_step(eye[k][None]))[0]
    net.rnn_clear_previous_state()
    return iterator.decode(out)
