"""Words too common to be a topic: German, English and social-media filler, one per line, lower case.

Kept short on purpose: topics should surface nouns and product words, so only function words,
pronouns, auxiliaries, light verbs and filler are listed (English also the generic praise of
review boilerplate, "highly", "exceeded", "expectations"). The lists apply to every text, so an
English word that is a German noun ("see", the lake; "made", the maggot) stays out. Words under three letters never
count anyway (selectors.TOPIC_MIN_WORD_LENGTH). Add a language by adding a file and listing it here.
"""

from pathlib import Path

LISTS = ("de.txt", "en.txt", "social.txt")


def load_stopwords() -> frozenset[str]:
    folder = Path(__file__).parent
    words: set[str] = set()
    for name in LISTS:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        words.update(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))
    return frozenset(words)


STOPWORDS = load_stopwords()
