"""A compact German + English polarity lexicon, written for community-management texts.

Scale -3 (very negative) .. +3 (very positive), in the spirit of VADER / SentiWS. Entries are
lower-case base forms; the analyser also tries the word with common German and English endings
stripped (gute -> gut, loved -> love), so inflected forms need no entry of their own.
"""

# fmt: off
POLARITY: dict[str, float] = {
    # --- German, positive ---
    "gut": 2.0, "super": 2.5, "toll": 2.5, "prima": 2.0, "klasse": 2.5, "spitze": 2.5, "top": 2.0,
    "genial": 3.0, "großartig": 3.0, "grossartig": 3.0, "hervorragend": 3.0, "ausgezeichnet": 3.0,
    "wunderbar": 3.0, "wundervoll": 3.0, "fantastisch": 3.0, "phantastisch": 3.0, "perfekt": 3.0,
    "exzellent": 3.0, "herrlich": 2.5, "schön": 2.0, "schoen": 2.0, "lecker": 2.5, "köstlich": 3.0,
    "empfehlenswert": 2.5, "empfehlen": 2.0, "empfehle": 2.0, "zufrieden": 2.0, "glücklich": 2.5,
    "begeistert": 3.0, "begeisterung": 2.5, "freude": 2.0, "freuen": 2.0, "freue": 2.0, "gefreut": 2.0,
    "danke": 1.5, "dank": 1.5, "dankeschön": 2.0, "vielen": 0.0, "lob": 2.0, "loben": 2.0,
    "liebe": 2.5, "lieben": 2.5, "geliebt": 2.5, "mag": 1.5, "mögen": 1.5, "gefällt": 2.0, "gefallen": 1.5,
    "freundlich": 2.0, "hilfsbereit": 2.5, "kompetent": 2.0, "schnell": 1.5, "zuverlässig": 2.0,
    "pünktlich": 1.5, "günstig": 1.5, "fair": 1.5, "lohnt": 1.5, "lohnenswert": 2.0, "gelungen": 2.0,
    "hilfreich": 2.0, "geholfen": 1.5, "klappt": 1.0, "funktioniert": 1.0, "erreichbar": 1.0,
    "angekommen": 0.5, "gelöst": 1.5, "erledigt": 1.0, "problemlos": 2.0, "unkompliziert": 2.0,
    "bequem": 1.5, "angenehm": 2.0, "sympathisch": 2.0, "nett": 1.5, "stark": 1.5, "mega": 2.0,
    "geil": 2.5, "cool": 2.0, "lieblingsbier": 2.5, "lieblings": 2.0, "qualität": 0.5, "traum": 2.0,
    "traumhaft": 3.0, "erstklassig": 3.0, "vorbildlich": 2.5, "professionell": 2.0, "respekt": 1.5,
    "weiter so": 2.5, "bravo": 2.5, "yay": 2.0, "juhu": 2.0, "wow": 2.0, "hammer": 2.0, "beste": 2.5,
    "besten": 2.5, "bester": 2.5, "besser": 1.0, "verbessert": 1.5, "überzeugt": 2.0, "überzeugend": 2.0,
    "entspannt": 1.5, "kulant": 2.0, "kulanz": 1.5, "ehrlich": 1.0, "nachhaltig": 1.0, "frisch": 1.0,
    "gemütlich": 1.5, "stolz": 1.5, "hoffnung": 1.0, "gewinnen": 1.0, "glück": 2.0, "okay": 0.5, "ok": 0.5,
    "passt": 1.0, "passend": 1.0, "schade": -1.5,
    # --- German, negative ---
    "schlecht": -2.0, "schlechter": -2.0, "schlechteste": -3.0, "mies": -2.5, "miserabel": -3.0,
    "furchtbar": -3.0, "fürchterlich": -3.0, "schrecklich": -3.0, "katastrophe": -3.0, "katastrophal": -3.0,
    "grauenhaft": -3.0, "grausam": -2.5, "ekelhaft": -3.0, "eklig": -2.5, "widerlich": -3.0, "scheiße": -3.0,
    "scheisse": -3.0, "scheiß": -3.0, "mist": -2.0, "müll": -2.5, "schrott": -2.5, "unverschämt": -3.0,
    "unverschämtheit": -3.0, "frechheit": -3.0, "frech": -2.0, "abzocke": -3.0, "abzocker": -3.0,
    "abgezockt": -3.0, "betrug": -3.0, "betrüger": -3.0, "betrogen": -3.0, "skandal": -3.0,
    "skandalös": -3.0, "enttäuscht": -2.5, "enttäuschend": -2.5, "enttäuschung": -2.5, "ärgerlich": -2.0,
    "ärger": -2.0, "ärgern": -2.0, "verärgert": -2.5, "wütend": -3.0, "wut": -2.5, "sauer": -2.0,
    "traurig": -2.0, "unzufrieden": -2.5, "unfreundlich": -2.5, "inkompetent": -3.0, "langsam": -1.5,
    "teuer": -1.5, "überteuert": -2.5, "kaputt": -2.0, "defekt": -2.0, "beschädigt": -2.0, "fehler": -1.5,
    "problem": -1.5, "probleme": -1.5, "mangel": -1.5, "mängel": -1.5, "beschwerde": -2.0, "reklamation": -1.5,
    "beschweren": -2.0, "unmöglich": -2.0, "lächerlich": -2.5, "peinlich": -2.5, "nervig": -2.0,
    "nervt": -2.0, "genervt": -2.0, "warten": -1.0, "wartezeit": -1.0, "ewig": -1.0, "verspätet": -1.5,
    "verspätung": -1.5, "nie wieder": -3.0, "niemals wieder": -3.0, "verarscht": -3.0, "verarschen": -3.0,
    "schämen": -2.5, "schämt": -2.5, "schande": -3.0, "sauerei": -2.5, "ungenießbar": -3.0, "schimmel": -2.5,
    "verdorben": -2.5, "schal": -1.5, "gefährlich": -2.5, "krank": -2.0, "übel": -2.0, "bauchschmerzen": -2.0,
    "glassplitter": -3.0, "rückruf": -1.5, "ausfall": -2.0, "stromausfall": -2.0, "störung": -1.5,
    "gekündigt": -1.5, "kündigen": -1.5, "kündige": -1.5, "verbraucherzentrale": -1.5, "anwalt": -1.5,
    "ignoriert": -2.0, "ignorieren": -2.0, "keine antwort": -2.0, "unerreichbar": -2.5, "chaos": -2.5,
    "desaster": -3.0, "zumutung": -3.0, "respektlos": -2.5, "dreist": -2.5, "dreistigkeit": -3.0,
    "boykott": -2.5, "boykottieren": -2.5, "hass": -3.0, "hasse": -3.0, "lügen": -2.5, "lüge": -2.5,
    "gelogen": -2.5, "falsch": -1.5, "verloren": -1.5, "fehlt": -1.0, "fehlen": -1.0, "zerbrochen": -2.0,
    "umsonst": -1.0, "leider": -1.0, "schwach": -1.5, "billig": -1.0, "dünn": -1.0, "fake": -2.0,
    "kinderarbeit": -3.0, "ausbeutung": -3.0, "retoure": -0.5, "nachzahlung": -1.5, "erhöhung": -1.0,
    "preiserhöhung": -2.0, "wucher": -3.0, "unterirdisch": -3.0, "armselig": -2.5, "blöd": -2.0,
    "dumm": -2.0, "idioten": -3.0, "witz": -1.0, "sorge": -1.5, "sorgen": -1.5, "angst": -2.0,
    # --- English, positive ---
    "good": 2.0, "great": 3.0, "excellent": 3.0, "amazing": 3.0, "awesome": 3.0, "fantastic": 3.0,
    "wonderful": 3.0, "perfect": 3.0, "brilliant": 3.0, "outstanding": 3.0, "superb": 3.0, "love": 3.0,
    "lovely": 2.5, "like": 1.5, "nice": 2.0, "fine": 1.0, "happy": 2.5, "glad": 2.0, "pleased": 2.0,
    "satisfied": 2.0, "delicious": 3.0, "tasty": 2.5, "recommend": 2.0, "recommended": 2.0, "thanks": 1.5,
    "thank": 1.5, "grateful": 2.5, "helpful": 2.0, "friendly": 2.0, "fast": 1.5, "quick": 1.5,
    "reliable": 2.0, "best": 2.5, "better": 1.0, "beautiful": 2.5, "enjoy": 2.0, "enjoyed": 2.0,
    "impressed": 2.5, "impressive": 2.5, "works": 1.0, "working": 0.5, "solved": 1.5, "fixed": 1.5,
    "kind": 1.5, "polite": 1.5, "professional": 2.0, "worth": 1.5, "favourite": 2.5, "favorite": 2.5,
    "thrilled": 3.0, "delighted": 3.0, "exceeded": 2.0, "flawless": 3.0,
    "seamless": 2.0, "stellar": 3.0, "top-notch": 3.0, "delightful": 3.0, "cheers": 1.5,
    # --- English, negative ---
    "bad": -2.0, "terrible": -3.0, "awful": -3.0, "horrible": -3.0, "worst": -3.0, "worse": -2.0,
    "poor": -2.0, "hate": -3.0, "disgusting": -3.0, "gross": -2.5, "disappointed": -2.5,
    "disappointing": -2.5, "disappointment": -2.5, "angry": -3.0, "furious": -3.0, "mad": -2.0,
    "annoyed": -2.0, "annoying": -2.0, "upset": -2.0, "sad": -2.0, "unhappy": -2.5, "rude": -2.5,
    "slow": -1.5, "expensive": -1.5, "overpriced": -2.5, "broken": -2.0, "damaged": -2.0, "defective": -2.0,
    "scam": -3.0, "fraud": -3.0, "ripoff": -3.0, "rip-off": -3.0, "useless": -2.5, "ridiculous": -2.5,
    "unacceptable": -3.0, "shame": -2.5, "shameful": -3.0, "pathetic": -3.0, "joke": -1.0, "waste": -2.0,
    "trash": -2.5, "garbage": -2.5, "crap": -2.5, "sucks": -2.5, "issue": -1.0,
    "complaint": -2.0, "refund": -1.0, "never again": -3.0, "ignored": -2.0, "lied": -2.5, "lies": -2.5,
    "dangerous": -2.5, "sick": -2.0, "outage": -2.0, "late": -1.0, "delayed": -1.5, "missing": -1.0,
    "lost": -1.5, "unfortunately": -1.0, "wrong": -1.5, "fail": -2.0, "failed": -2.0, "failure": -2.0,
    "nightmare": -3.0, "disaster": -3.0, "boycott": -2.5, "lawyer": -1.5, "recall": -1.5,
    "incompetent": -3.0, "unreliable": -2.0, "worried": -1.5, "concerned": -1.0, "cancel": -1.5,
    "cancelled": -1.5,
}

# Words that turn the polarity of the next sentiment word (or, in German verb-final
# clauses such as "gefällt mir nicht", of the previous one).
NEGATORS: frozenset[str] = frozenset(
    {
        "nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nichts",
        "ohne", "weder", "nix", "not", "no", "never", "nothing", "without", "neither", "nor", "none",
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "wont",
        "couldnt", "wouldnt", "shouldnt", "hasnt", "havent", "hardly",
    }
)

# Multipliers for the next sentiment word.
INTENSIFIERS: dict[str, float] = {
    "sehr": 1.5, "extrem": 1.8, "total": 1.5, "voll": 1.4, "echt": 1.3, "wirklich": 1.3, "richtig": 1.3,
    "absolut": 1.6, "völlig": 1.6, "komplett": 1.5, "besonders": 1.3, "unglaublich": 1.7, "so": 1.2,
    "zu": 1.2, "äußerst": 1.7, "höchst": 1.6, "ziemlich": 1.2, "dermaßen": 1.7, "wahnsinnig": 1.7,
    "mega": 1.5, "super": 1.4, "very": 1.5, "really": 1.3, "extremely": 1.8, "so much": 1.3,
    "absolutely": 1.6, "totally": 1.5, "completely": 1.5, "incredibly": 1.7, "truly": 1.3,
    "highly": 1.5, "too": 1.2, "utterly": 1.8, "super-": 1.4,
    # dampeners
    "etwas": 0.6, "bisschen": 0.6, "leicht": 0.7, "eher": 0.7, "kaum": 0.4, "relativ": 0.7,
    "slightly": 0.6, "somewhat": 0.7, "bit": 0.6, "little": 0.7, "rather": 0.8, "fairly": 0.8,
}

# A clause after "aber" / "but" counts more than the one before it ("gut, aber zu teuer").
CONTRAST_WORDS: frozenset[str] = frozenset({"aber", "jedoch", "doch", "allerdings", "but", "however", "though"})

EMOJI: dict[str, float] = {
    "😀": 2.0, "😃": 2.0, "😄": 2.0, "😁": 2.0, "😊": 2.0, "🙂": 1.0, "😍": 3.0, "🥰": 3.0, "😘": 2.0,
    "❤": 2.5, "❤️": 2.5, "💕": 2.5, "💖": 2.5, "👍": 2.0, "👏": 2.0, "🙌": 2.0, "💯": 2.0, "🎉": 2.0,
    "🥳": 2.5, "😋": 2.0, "🤩": 3.0, "😎": 1.5, "🍻": 1.5, "🌟": 2.0, "⭐": 1.5, "✨": 1.0, "💪": 1.5,
    "🙏": 1.0, "😂": 1.0, "🤣": 1.0, "☺": 1.5, "☺️": 1.5,
    "😡": -3.0, "🤬": -3.0, "😠": -2.5, "😤": -2.0, "👎": -2.5, "😢": -2.0, "😭": -2.5, "😞": -2.0,
    "😒": -1.5, "🙄": -1.5, "💩": -2.5, "🤮": -3.0, "🤢": -2.5, "😩": -2.0, "😫": -2.0, "😖": -2.0,
    "😕": -1.0, "🙁": -1.5, "☹": -2.0, "☹️": -2.0, "💔": -2.5, "😱": -1.5,
}

# Markers of anger rather than mere disappointment: they make a negative item "angry".
ANGER_WORDS: frozenset[str] = frozenset(
    {
        "frechheit", "unverschämt", "unverschämtheit", "abzocke", "abzocker", "abgezockt", "betrug",
        "betrüger", "skandal", "wütend", "wut", "verarscht", "verarschen", "schande", "zumutung", "dreist",
        "dreistigkeit", "scheiße", "scheisse", "scheiß", "boykott", "lächerlich", "idioten", "wucher",
        "scam", "fraud", "ripoff", "rip-off", "furious", "angry", "disgusting", "ridiculous", "pathetic",
        "unacceptable", "shameful", "boycott", "never again", "nie wieder",
    }
)
ANGER_EMOJI: frozenset[str] = frozenset({"😡", "🤬", "😠", "😤", "🤮", "💩"})

# Stopwords decide the language: frequent function words are the cheapest reliable signal.
STOPWORDS_DE: frozenset[str] = frozenset(
    {
        "der", "die", "das", "und", "ist", "nicht", "ich", "sie", "wir", "ein", "eine", "einen", "zu", "mit",
        "auf", "für", "von", "den", "dem", "des", "im", "es", "auch", "sich", "noch", "wie", "aber", "war",
        "bei", "nach", "mir", "mich", "hat", "haben", "bin", "sind", "wird", "werden", "schon", "nur", "dass",
        "kann", "euch", "ihr", "ihnen", "uns", "sehr", "gibt", "hier", "wieder", "warum", "was", "wann", "wo",
        "mein", "meine", "dein", "ihre", "kein", "keine", "oder", "wenn", "weil", "über", "jetzt", "immer",
        "seit", "doch", "mal", "da", "bitte", "danke", "leider", "heute", "gestern", "bis", "vom",
    }
)
STOPWORDS_EN: frozenset[str] = frozenset(
    {
        "the", "and", "is", "are", "was", "were", "i", "you", "we", "it", "this", "that", "to", "of", "in",
        "for", "on", "with", "not", "my", "your", "have", "has", "be", "been", "but", "so", "very", "can",
        "will", "would", "what", "why", "when", "where", "how", "they", "them", "our", "me", "just", "from",
        "at", "all", "no", "do", "does", "did", "an", "a", "if", "or", "because", "about", "please", "thanks",
        "there", "their", "any", "again", "still", "really", "dont", "cant", "its", "im", "got", "get",
    }
)
# fmt: on
