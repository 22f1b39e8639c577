"""Text augmentation (survey §4.5): synonym replacement, sentence shuffling and
back-translation through the Translator interface; the shipped synonym table."""

import hashlib
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from surveykit.regularization import text_augmentation as T

DATA = Path(__file__).resolve().parent.parent / "data"
TEXT = ("The movie was really good, but the ending was too slow. I loved the actors! "
        "Maybe I will watch it again.")


# --------------------------------------------------------------------------- the table


def test_synonym_table_is_well_formed_and_documented():
    table = T.load_synonyms()
    assert len(table) >= 100
    for word, synonyms in table.items():
        assert word == word.lower() and word not in synonyms and 1 <= len(synonyms) <= 5
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^([0-9a-f]{64})  synonyms\.tsv$", readme, re.MULTILINE)
    assert listed == [hashlib.sha256((DATA / "synonyms.tsv").read_bytes()).hexdigest()]
    assert f"{len(table)} common English words" in readme
    assert "written by hand" in readme and "MIT" in readme


@pytest.mark.parametrize("content, message", [
    ("word\tsynonyms\ngood\tfine\ngood\tnice\n", "'good' is listed twice"),
    ("word\tsynonyms\ngood\tgood|fine\n", "'good' is its own synonym"),
    ("word\tsynonyms\ngood\t\n", "empty word or synonym list"),
    ("words\tsyns\ngood\tfine\n", "the header must be"),
    ("word\tsynonyms\ngood\n", "expected 2 tab-separated fields"),
])
def test_malformed_tables_are_refused(tmp_path, content, message):
    path = tmp_path / "syn.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        T.load_synonyms(path)


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("text", [TEXT, "", "  Hi,  you!! ", "don't stop — l'été était drôle",
                                  "numbers 42 and_underscores"])
def test_tokenize_round_trips_and_puts_words_at_odd_positions(text):
    parts = T.tokenize(text)
    assert "".join(parts) == text
    words = parts[1::2]
    assert all(re.fullmatch(r"[^\W\d_]+('[^\W\d_]+)?", w) for w in words)
    assert not any(re.search(r"[^\W\d_]", sep) for sep in parts[0::2])


def test_accented_words_are_single_tokens():
    assert T.tokenize("était drôle")[1::2] == ["était", "drôle"]


# --------------------------------------------------------------------------- synonyms


def test_synonym_replacement_known_answers():
    table = {"good": ("fine",), "movie": ("film",)}
    assert T.synonym_replacement(TEXT, 0.0, rng=0, synonyms=table) == TEXT
    out = T.synonym_replacement(TEXT, 1.0, rng=0, synonyms=table)
    assert out == TEXT.replace("movie", "film").replace("good", "fine")
    assert T.synonym_replacement("GOOD Movie", 1.0, rng=0, synonyms=table) == "FINE Film"
    assert T.synonym_replacement("no known words", 1.0, rng=0, synonyms=table) == \
        "no known words"


@pytest.mark.parametrize("alpha", [0.1, 0.3, 0.6, 1.0])
def test_synonym_replacement_replaces_ceil_alpha_m_words_by_synonyms(alpha):
    table = T.load_synonyms()
    before = T.tokenize(TEXT)
    m = sum(w.lower() in table for w in before[1::2])
    out = T.synonym_replacement(TEXT, alpha, rng=3, synonyms=table)
    after = T.tokenize(out)
    assert after[0::2] == before[0::2]  # punctuation and spaces untouched
    changed = [(a, b) for a, b in zip(before[1::2], after[1::2], strict=True) if a != b]
    assert len(changed) == int(np.ceil(alpha * m))
    for old, new in changed:
        assert new.lower() in table[old.lower()]
    assert out == T.synonym_replacement(TEXT, alpha, rng=3, synonyms=table)  # seeded


def test_alpha_is_validated():
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]; got 1.5"):
        T.synonym_replacement(TEXT, 1.5)


# --------------------------------------------------------------------------- sentences


def test_split_sentences():
    assert T.split_sentences(TEXT) == [
        "The movie was really good, but the ending was too slow.", "I loved the actors!",
        "Maybe I will watch it again."]
    assert T.split_sentences("  One.  Two?Three ") == ["One.", "Two?Three"]
    assert T.split_sentences("") == []


def test_sentence_shuffle_is_a_seeded_permutation():
    sentences = T.split_sentences(TEXT)
    outs = {T.sentence_shuffle(TEXT, rng=s) for s in range(30)}
    for out in outs:
        assert Counter(T.split_sentences(out)) == Counter(sentences)
    assert len(outs) == 6  # all 3! orders occur
    assert T.sentence_shuffle(TEXT, rng=5) == T.sentence_shuffle(TEXT, rng=5)
    assert T.sentence_shuffle("Only one sentence.", rng=1) == "Only one sentence."


# --------------------------------------------------------------------------- translation


class Recorder:
    """A translator that records its calls and tags the text, to see the composition."""

    def __init__(self):
        self.calls = []

    def translate(self, text, src, dst):
        self.calls.append((text, src, dst))
        return f"<{dst}>{text}"


def test_back_translation_composes_two_translate_calls():
    recorder = Recorder()
    assert T.back_translate("hello", recorder, "en", "de") == "<en><de>hello"
    assert recorder.calls == [("hello", "en", "de"), ("<de>hello", "de", "en")]


def test_identity_translator_makes_back_translation_the_identity():
    assert isinstance(T.IdentityTranslator(), T.Translator)
    assert T.back_translate(TEXT, T.IdentityTranslator()) == TEXT


def test_toy_dictionary_translator_is_word_for_word():
    toy = T.toy_translator()
    assert toy.translate("The movie was good.", "en", "fr") == "Le film était bon."
    assert toy.translate("Le film était bon.", "fr", "en") == "The movie was good."
    # not inverse for some words: a round trip paraphrases
    assert T.back_translate("A big film", toy) == "A great movie"
    # unknown words are copied unchanged
    assert toy.translate("The zebra", "en", "fr") == "Le zebra"


@pytest.mark.parametrize("call, message", [
    (lambda: T.toy_translator().translate("x", "en", "de"), r"no word table for en → de"),
    (lambda: T.back_translate("x", T.IdentityTranslator(), "en", "en"), r"pivot must differ"),
    (lambda: T.back_translate("x", object()), r"translator must have a method translate"),
    (lambda: T.IdentityTranslator().translate("x", "English", "fr"), r"src must be a language"),
    (lambda: T.DictionaryTranslator({}), r"tables must hold at least one"),
    (lambda: T.DictionaryTranslator({"en-fr": {}}), r"keys must be \(src, dst\) pairs"),
])
def test_translation_arguments_are_validated(call, message):
    with pytest.raises(ValueError, match=message):
        call()
