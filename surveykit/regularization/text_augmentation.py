"""Text data augmentation: synonym replacement, sentence shuffling, back-translation (§4.5).

The survey (§4.5) lists three text augmentations:

* **synonym replacement** — replace some words by a synonym (as in EDA, Wei & Zou, 2019:
  a fraction α of the replaceable words). :func:`synonym_replacement`, with the small
  synonym table shipped in ``data/synonyms.tsv`` (:func:`load_synonyms`);
* **sentence shuffling** — permute the sentences of a text (:func:`sentence_shuffle`);
* **back-translation** — translate to a pivot language and back, which paraphrases
  (Sennrich et al., 2016; Edunov et al., 2018). :func:`back_translate` composes two
  calls of a :class:`Translator`, an interface with one method
  ``translate(text, src, dst)``.

About back-translation, honestly: a useful back-translation needs a real machine
translation model (for example a neural MT model run locally or a translation
service), which this course does not ship — nothing is downloaded at run time. What is
shipped are two honest stand-ins that show the *mechanism*: :class:`IdentityTranslator`
(returns the text unchanged, so back-translation is the identity) and
:class:`DictionaryTranslator`, a **toy** word-for-word lookup with a tiny hand-written
English ↔ French word list (:data:`TOY_EN_FR`). It is not a translation model: it knows
a few dozen words, ignores grammar, agreement and word order, and leaves every other
word as it is. Any object with a ``translate(text, src, dst)`` method — for example a
wrapper around a real model — can be passed to :func:`back_translate` instead.

Every random function takes ``rng``: a ``numpy.random.Generator``, an integer seed, or
None (fresh entropy).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..validation import check_int, check_range

__all__ = [
    "SYNONYMS_FILE",
    "load_synonyms",
    "tokenize",
    "synonym_replacement",
    "split_sentences",
    "sentence_shuffle",
    "Translator",
    "IdentityTranslator",
    "DictionaryTranslator",
    "TOY_EN_FR",
    "toy_translator",
    "back_translate",
]

#: The synonym table shipped with the course (see ``data/README.md``).
SYNONYMS_FILE = "synonyms.tsv"

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # letters (any script), inner apostrophe


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        check_int("rng (a seed)", rng, low=0)
    return np.random.default_rng(rng)


def _data_dir() -> Path:
    from ..data import data_dir

    return data_dir()


def load_synonyms(path=None) -> dict[str, tuple[str, ...]]:
    """The synonym table: lower-case word → its synonyms, in the file's order.

    The file is tab-separated with a header ``word<TAB>synonyms``; synonyms are separated
    by ``|``; lines starting with ``#`` are comments. By default ``data/synonyms.tsv``
    (or the folder named by ``SURVEYKIT_DATA``). A word listed twice, a word among its
    own synonyms or an empty synonym list is refused with a ValueError naming the line.
    """
    path = Path(path) if path is not None else _data_dir() / SYNONYMS_FILE
    table: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")),
                          delimiter="\t")
        header = next(rows, None)
        if header != ["word", "synonyms"]:
            raise ValueError(f"{path}: the header must be 'word<TAB>synonyms'; got {header}")
        for line_no, row in enumerate(rows, start=2):
            if len(row) != 2:
                raise ValueError(f"{path}, data line {line_no}: expected 2 tab-separated "
                                 f"fields; got {row}")
            word = row[0].strip().lower()
            synonyms = tuple(s.strip().lower() for s in row[1].split("|") if s.strip())
            if not word or not synonyms:
                raise ValueError(f"{path}, data line {line_no}: empty word or synonym list")
            if word in table:
                raise ValueError(f"{path}, data line {line_no}: {word!r} is listed twice")
            if word in synonyms:
                raise ValueError(f"{path}, data line {line_no}: {word!r} is its own synonym")
            table[word] = synonyms
    return table


def tokenize(text: str) -> list[str]:
    """Split ``text`` into words and the text between them, so that ``"".join`` of the
    result gives ``text`` back: ``"Hi, you!"`` → ``["", "Hi", ", ", "you", "!"]``.
    Words are at the odd positions (runs of letters, accented ones included, with an
    inner apostrophe: "don't")."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {type(text).__name__}")
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        parts += [text[last:match.start()], match.group()]
        last = match.end()
    parts.append(text[last:])
    return parts


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def synonym_replacement(text: str, alpha: float = 0.1, rng=None,
                        synonyms: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """Replace ⌈α·m⌉ of the m replaceable words of ``text`` (those in the table; at least
    one when m > 0 and α > 0) by a synonym drawn uniformly, keeping capitalisation and
    everything between the words. ``alpha`` in [0, 1] (EDA's α); 0 returns ``text``.

    The words to replace are drawn without replacement among the replaceable positions.
    Synonym replacement preserves the *label* only as far as the table's synonyms really
    mean the same in context ("light" as in weight is not "light" as in colour).
    """
    alpha = check_range("alpha", alpha, 0.0, 1.0)
    table = load_synonyms() if synonyms is None else synonyms
    parts = tokenize(text)
    candidates = [i for i in range(1, len(parts), 2) if parts[i].lower() in table]
    n_replace = int(np.ceil(alpha * len(candidates)))
    if n_replace == 0:
        return text
    gen = _generator(rng)
    for i in gen.choice(candidates, size=n_replace, replace=False):
        options = table[parts[i].lower()]
        parts[i] = _match_case(parts[i], options[gen.integers(len(options))])
    return "".join(parts)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> list[str]:
    """Split at whitespace that follows ``.``, ``!`` or ``?`` (a simple rule: "Dr. Who"
    is split too). Leading and trailing whitespace is dropped; no empty sentences."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {type(text).__name__}")
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def sentence_shuffle(text: str, rng=None) -> str:
    """The sentences of ``text`` in a uniformly random order, joined by one space.

    Only label-preserving when the order of the sentences does not carry the meaning
    (a review's sentiment usually survives; a recipe's steps do not)."""
    sentences = split_sentences(text)
    order = _generator(rng).permutation(len(sentences))
    return " ".join(sentences[i] for i in order)


@runtime_checkable
class Translator(Protocol):
    """Anything that translates: ``translate(text, src, dst) -> str`` with language codes
    such as ``"en"`` and ``"fr"``. Plug a real model in by writing such a class."""

    def translate(self, text: str, src: str, dst: str) -> str: ...


class IdentityTranslator:
    """Returns the text unchanged: the baseline (back-translation becomes the identity)."""

    def translate(self, text: str, src: str, dst: str) -> str:
        _check_languages(src, dst)
        return text


def _check_languages(src, dst) -> None:
    for name, code in (("src", src), ("dst", dst)):
        if not (isinstance(code, str) and re.fullmatch(r"[a-z]{2,3}", code)):
            raise ValueError(f"{name} must be a language code like 'en'; got {code!r}")


class DictionaryTranslator:
    """A **toy**: word-for-word lookup in a small table, ``{(src, dst): {word: word}}``.

    Not a translation model: no grammar, agreement or word order; unknown words are
    copied unchanged. Useful only to show what back-translation does — two translations
    that are not inverse to each other paraphrase the text (``big`` → ``grand`` →
    ``great``). Raises ValueError for a language pair it has no table for.
    """

    def __init__(self, tables: Mapping[tuple[str, str], Mapping[str, str]]):
        if not tables:
            raise ValueError("tables must hold at least one (src, dst) word table; got none")
        self.tables = {}
        for pair, table in tables.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"tables' keys must be (src, dst) pairs; got {pair!r}")
            _check_languages(*pair)
            self.tables[pair] = {k.lower(): v for k, v in table.items()}

    def translate(self, text: str, src: str, dst: str) -> str:
        _check_languages(src, dst)
        if (src, dst) not in self.tables:
            raise ValueError(f"no word table for {src} → {dst}; this toy knows "
                             f"{sorted(self.tables)}")
        table = self.tables[(src, dst)]
        parts = tokenize(text)
        for i in range(1, len(parts), 2):
            target = table.get(parts[i].lower())
            if target is not None:
                parts[i] = _match_case(parts[i], target)
        return "".join(parts)


#: A tiny hand-written English ↔ French word list for the toy translator. The two
#: directions are deliberately *not* inverse for a few words (big → grand → great,
#: film → film → movie…), as a real translation round trip is not.
TOY_EN_FR = {
    ("en", "fr"): {
        "the": "le", "a": "un", "movie": "film", "film": "film", "is": "est",
        "was": "était", "very": "très", "really": "vraiment", "good": "bon",
        "great": "grand", "big": "grand", "large": "grand", "bad": "mauvais",
        "boring": "ennuyeux", "funny": "drôle", "and": "et", "but": "mais",
        "story": "histoire", "actors": "acteurs", "music": "musique",
        "beautiful": "beau", "pretty": "beau", "fast": "rapide", "quick": "rapide",
        "i": "je", "liked": "aimé", "loved": "adoré", "it": "il", "too": "trop",
        "long": "long", "end": "fin", "ending": "fin", "happy": "heureux",
        "sad": "triste", "small": "petit", "little": "petit",
    },
    ("fr", "en"): {
        "le": "the", "un": "a", "film": "movie", "est": "is", "était": "was",
        "très": "very", "vraiment": "really", "bon": "good", "grand": "great",
        "mauvais": "bad", "ennuyeux": "boring", "drôle": "funny", "et": "and",
        "mais": "but", "histoire": "story", "acteurs": "actors", "musique": "music",
        "beau": "beautiful", "rapide": "fast", "je": "i", "aimé": "liked",
        "adoré": "loved", "il": "it", "trop": "too", "long": "long", "fin": "end",
        "heureux": "happy", "triste": "sad", "petit": "small",
    },
}


def toy_translator() -> DictionaryTranslator:
    """The toy English ↔ French :class:`DictionaryTranslator` over :data:`TOY_EN_FR`."""
    return DictionaryTranslator(TOY_EN_FR)


def back_translate(text: str, translator: Translator, src: str = "en",
                   pivot: str = "fr") -> str:
    """Back-translation: ``translator.translate(translator.translate(text, src, pivot),
    pivot, src)`` — to the pivot language and back (§4.5)."""
    if not isinstance(translator, Translator):
        raise ValueError("translator must have a method translate(text, src, dst); got "
                         f"{type(translator).__name__}")
    _check_languages(src, pivot)
    if src == pivot:
        raise ValueError(f"pivot must differ from src; got {pivot!r} for both")
    return translator.translate(translator.translate(text, src, pivot), pivot, src)
