"""Follow-up questions read with the earlier turns, without a language model.

"Can my client pay her daughter as her PA?" then "what if she lives with her?": the second
message alone retrieves nothing useful. A message is a follow-up when it leans on what came
before (it opens with "and", "what if", "what about"...; it says "she", "it", "their", "that";
or it is too short to name a subject of its own). Its retrieval text is then the message, with
"she"/"he"/"they" read as the person the earlier turn was about, plus what the earlier turn
said that it leaves out: the listed subjects ("paying", "daughter", "PA", "direct payment"),
the earlier question's rarest words in the index ("notice") and its names ("Think Local Act
Personal"). A message that names a subject of its own and leans on nothing is a new topic, and
so is one that names a thing the index has never seen ("her dog"): nothing is carried over.
A message that says nothing either way ("from which day?", "what would make the council say
yes?") is read with the conversation first, and alone only when that finds no answer (see
`leans_quietly` and the answering service).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.activity.log import ConversationTurn
from assistant.answering.query import SAID_QUESTION, phrase_hints, phrase_spans
from assistant.safety.notices import nations_named

# Subjects a question can be about, as (pattern, the phrase carried to a follow-up). People
# first: a follow-up's "she" or "he" is read as the last person named.
PEOPLE: list[tuple[str, str]] = [
    (r"daughters?", "daughter"),
    (r"sons?", "son"),
    (r"husband", "husband"),
    (r"wife", "wife"),
    (r"partner", "partner"),
    (r"mother|mum", "mother"),
    (r"father|dad", "father"),
    (r"sister", "sister"),
    (r"brother", "brother"),
    (r"granddaughter", "granddaughter"),
    (r"grandson", "grandson"),
    (r"niece", "niece"),
    (r"nephew", "nephew"),
    (r"neighbour", "neighbour"),
    (r"friend", "friend"),
    (r"relatives?|family members?", "relative"),
    (r"carers?", "carer"),
    (r"authorised persons?", "authorised person"),
    (r"PAs?|personal assistants?", "PA"),
]
TOPICS: list[tuple[str, str]] = [
    (r"direct payments?|DPs?", "direct payment"),
    (r"personal budgets?", "personal budget"),
    (r"managed accounts?", "managed account"),
    (r"individual service funds?|ISFs?", "individual service fund"),
    (r"pre-?paid cards?", "pre-paid card"),
    (r"DBS(?: checks?)?", "DBS check"),
    (r"right to work", "right to work"),
    (r"contracts?", "contract"),
    (r"(?:workplace )?pensions?", "pension"),
    (r"(?:employer'?s )?(?:liability )?insurance", "insurance"),
    (r"sick pay|sickness|SSP", "sick pay"),
    (r"holidays?", "holiday"),
    (r"redundan(?:cy|t)", "redundancy"),
    (r"(?:minimum|living) wage|pay rates?", "minimum wage"),
    (r"payroll|PAYE|tax", "payroll"),
    (
        r"National Insurance|(?:employers?'?s?|employees?'?s?) NI|NI contributions?",
        "National Insurance",
    ),
    (r"training", "training"),
    (r"safeguarding|abuse|neglect", "safeguarding"),
    (r"(?:mental )?capacity", "capacity"),
    (r"support plans?|care plans?", "support plan"),
    (r"review(?:s|ed|ing)?|monitor(?:s|ed|ing)?", "review"),
    (r"risks?|risky|riskier", "risk"),
    (r"contingency", "contingency"),
    (r"surveys?|poll", "survey"),
    (r"personalisation", "personalisation"),
    (r"(?:(?:direct payment|DP|payroll) )?support services?", "support service"),
    (r"self-employed|employment status", "self-employed"),
    (r"agenc(?:y|ies)", "agency"),
    (r"financial abuse|misuse[ds]?|exploitation", "financial abuse"),
    (r"self-directed support", "self-directed support"),
    (r"Care Act", "Care Act"),
]
# topics that name where an answer comes from, not what it is about
SOURCES = frozenset({"survey", "Care Act"})
# A follow-up that names a nation replaces the earlier one ("and in Wales?" after Scotland)
PLACES: list[tuple[str, str]] = [
    (r"Wales|Welsh", "Wales"),
    (r"Scotland|Scottish", "Scotland"),
    (r"Northern Ireland", "Northern Ireland"),
    (r"England|English", "England"),
]
ACTIONS: list[tuple[str, str]] = [
    (r"pay(?:ing|s)?|paid", "paying"),
    (r"employ(?:ing|s|ed)?|hir(?:e|ing)|recruit(?:ing)?", "employing"),
    (r"dismiss(?:ing|ed)?|sack(?:ing|ed)?", "dismissal"),
    (r"stop(?:ping)?|end(?:ing)?", "ending"),
]
_COMPILED = [
    (kind, re.compile(rf"\b(?:{pattern})\b", re.I), phrase)
    for kind, table in (
        ("person", PEOPLE),
        ("topic", TOPICS),
        ("place", PLACES),
        ("action", ACTIONS),
    )
    for pattern, phrase in table
]
_LEANS_ON = re.compile(
    r"^\s*(?:and|but|so|also|or|then|what if|what about|how about|if so|in that case|"
    r"same for|does that|is that|and if)\b",
    re.I,
)
# "and to people who lack capacity?", "what about sick pay?": a phrase that asks nothing of its
# own borrows the earlier question's frame ("when were they extended ...?")
_ELLIPSIS = re.compile(
    r"^\s*(?:(?:and|or|but|so) )?(?:what|how) about\b"
    r"(?!.*,\s*(?:what|how|who|when|why|can|is|does)\b)"
    r"|^\s*(?:and|or|but)\b(?!\s+(?:if|when|what|how|who|why|where|which|can|could|does|do|did|"
    r"is|are|was|were|will|would|should|must|has|have|had)\b)",
    re.I,
)
# "what about X?": X takes the place of what was asked of before
_SHIFTS = re.compile(r"^\s*(?:and )?(?:what|how) about\b", re.I)
_PRONOUN = re.compile(r"\b(?:she|he|they|her|him|them|it|its|his|their)\b", re.I)
# "that", "this": what was said before ("who decides that?"); "is there" is not a pointer
_POINTER = re.compile(r"\b(?:that|this|those|these|then|one)\b", re.I)
# "does minimum wage still apply there?": the place named before ("is there ...?" is not one)
_THERE = re.compile(
    r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )\bthere\b"
    r"(?!\s+(?:is|are|was|were|be|will|must|should|may|might|'s|any|anything|anyone|a|an|no)\b)",
    re.I,
)
# "the policy", "the first check": a thing taken as known
_THE = re.compile(r"\bthe ([a-z][\w-]*)\b", re.I)
# the message names its own person, so "her daughter" is that person's daughter
_OWN_PERSON = re.compile(
    r"\b(?:clients?|service users?|someone|somebody|people|(?:a|the|my|our) (?:person|man|woman|"
    r"mum|dad|mother|father|son|daughter|wife|husband|partner|carer|relative))\b",
    re.I,
)
# Words of a question that say nothing about its subject: never carried as keywords
# fmt: off
GENERIC = frozenset({
    "client", "clients", "service", "user", "users", "person", "people", "someone", "somebody",
    "council", "councils", "need", "needs", "want", "wants", "get", "gets", "got", "make",
    "makes", "made", "use", "used", "using", "way", "ways", "thing", "things", "know", "tell",
    "help", "find", "give", "able", "allow", "allowed", "still", "also", "much", "many",
    "long", "often", "does", "quick", "hey", "hi", "thanks", "please", "social", "worker",
    "workers", "practitioner", "put", "take", "say", "said", "come", "let", "happen",
    "happens", "happened", "happening", "mean", "means", "work", "works", "right", "now",
    "today", "sort", "sorts",
    "kind", "kinds", "type", "types", "yes", "ok", "okay", "sure", "maybe",
    # numbers and words of manner or time, which carried over made a follow-up read oddly
    # ("... for her daughter (PA, paying, two, away)?")
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "new", "old",
    "away", "back", "though", "without", "every", "really", "just", "even", "ever", "done",
    "came", "going", "says", "thought", "felt", "knew", "saw", "taken", "round",
    "specifically", "already", "soon", "later",
    # words that say how, not what ("... (PA, contingency, goes)?", "(2009, basw, like)")
    "goes", "go", "went", "anything", "something", "everything", "like", "instead", "else",
    "whether", "think", "thinks", "last", "year", "years",
    # words of emphasis ("what do DP support services actually do?")
    "actually", "basically", "exactly", "definitely", "probably", "generally", "normally",
    "usually", "typically", "commonly",
    # how someone seems ("she looks frightened at visits")
    "look", "looks", "looked", "seem", "seems", "seemed", "appears", "appeared",
})
# fmt: on
KEYWORD_RARITY = 2.5  # a word in fewer than about a tenth of the passages (BM25's idf)
# a name of several capitalised words, not at the start of the message
_NAME = re.compile(
    r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+(?:\s+(?:(?:it|of|and|the|for)\s+)?[A-Z][a-z]+)+\b"
)
_A_NAME = re.compile(r"[A-Z][a-z]+(?:\s+(?:(?:it|of|and|the|for)\s+)?[A-Z][a-z]+)+")
_ACRONYM = re.compile(r"\b(?!PAs?\b|DPs?\b)[A-Z]{3,}s?\b")
_NAMED_THING = re.compile(
    r"\b(?:a|an|the|her|his|their|my|your|our|about|for|any|some|of|with)\s+(?=([A-Za-z][\w'-]*))",
    re.I,
)
KEYWORDS = 3  # at most this many of an earlier turn's own words are carried
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# "and a year later?", "two years later", "the year after", "the next year"
_YEARS_LATER = re.compile(
    r"\b(?:(a|one|two|three|four|five|\d{1,2}) years? (?:later|after(?:wards)?|on)|"
    r"the (?:next|following) year|the year after)\b",
    re.I,
)
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SUBJECT_PRONOUN = re.compile(r"\b(?:she|he|they)\b", re.I)
_WORD = re.compile(r"[A-Za-z0-9£%']+")
SHORT_WORDS = 3  # a message this short, naming no subject of its own, leans on the last turn
#: how rare a word is in the knowledge base (BM25 idf), None when the index never saw it
Rarity = Callable[[str], "float | None"]


@dataclass
class Resolution:
    """How a message is understood: `text` is what is retrieved and answered with;
    `interpreted_as` is set only when earlier turns were used."""

    text: str
    interpreted_as: str | None
    subjects: list[str] = field(default_factory=list)
    #: the earlier turn's subjects added to `text` (they weigh less when the answer is composed)
    carried: list[str] = field(default_factory=list)
    #: the earlier question whose frame an elliptical message borrows ("and to people who lack
    #: capacity?" after "when were they extended to over 65s?" asks "when" too)
    frame: str | None = None


def subjects_of(text: str) -> list[tuple[str, str]]:
    """(kind, phrase) for each subject the text names, in table order, without repeats."""
    return list(_subjects_of(text))


@functools.lru_cache(maxsize=4096)
def _subjects_of(text: str) -> tuple[tuple[str, str], ...]:
    """subjects_of, remembered: an answer reads the same texts' subjects several times."""
    found: list[tuple[str, str]] = []
    for kind, pattern, phrase in _COMPILED:
        if pattern.search(text) and (kind, phrase) not in found:
            # "her PA" names the PA; "pay" as a noun in "sick pay" is not the action
            if kind == "action" and phrase == "paying" and re.search(r"sick pay", text, re.I):
                continue
            found.append((kind, phrase))
    for nation in nations_named(text):  # "lives in Cardiff": Wales
        if ("place", nation) not in found:
            found.append(("place", nation))
    found += [("year", year) for year in dict.fromkeys(_YEAR.findall(text))]
    return tuple(found)


def hinted_topics(message: str, subjects: list[str]) -> list[str]:
    """The topics a message's phrases search though it does not name them ("her family are
    worried about her rock climbing" searches positive risk-taking): carried on to the next
    turn, so that "what questions should I ask with her?" is read as a question on risk."""
    hinted = subjects_of(" ".join(phrase_hints(message)))
    return [p for k, p in hinted if k == "topic" and p not in subjects]


def keywords_of(text: str, rarity: Rarity | None, subjects: list[tuple[str, str]]) -> list[str]:
    """The words that say what a question is about beyond the tables above ("notice",
    "induction", "HMRC"): the rarest words of it that the knowledge base holds, at most
    KEYWORDS of them, in the order they are written."""
    if rarity is None:
        return []
    named = " ".join(p for _, p in subjects).lower()
    scored: dict[str, float] = {}
    for name in _NAME.findall(text):  # "Think Local Act Personal", "Making it Real"
        if name.lower() not in named.split(" ") and not subjects_of(name):
            scored[name] = float("inf")  # ("Care Act" is a subject already)
    for word in _WORD.findall(text):
        lower = bare_word(word).lower()
        if len(lower) < 3 or lower in GENERIC or lower in named or lower in scored:
            continue
        if any(lower in name.lower().split() for name in scored) or subjects_of(lower):
            continue
        if _PRONOUN.fullmatch(lower) or _POINTER.fullmatch(lower) or _YEAR.fullmatch(lower):
            continue
        value = rarity(lower)
        if value is not None and value >= KEYWORD_RARITY:
            scored[lower] = value
    keep = sorted(scored, key=lambda w: scored[w], reverse=True)[:KEYWORDS]
    return [w for w in scored if w in keep]


def leans_quietly(message: str, rarity: Rarity | None) -> bool:
    """A message that may lean on the conversation without saying so ("from which day?",
    "where should the decision be written down?"): it names no subject, person, nation or
    name of its own, and every word of it is one the knowledge base knows ("What is the weather
    in Leeds tomorrow?" is not one). Read with the conversation first; alone only when that
    finds no answer."""
    if rarity is None or _NAME.search(message):
        return False
    if any(kind in ("topic", "person", "place") for kind, _ in subjects_of(message)):
        return False
    return not unknown_words_in(_WORD.findall(message), rarity)


def unknown_words(text: str, rarity: Rarity | None) -> list[str]:
    """The things a message names that the knowledge base has never seen ("dog" in "and what
    about a licence for her dog?"): a follow-up that names one asks about something else. Only
    a word after "a", "the", "her", "about"... counts as a thing named ("and if nobody
    qualifies?" names nothing new)."""
    if rarity is None:
        return []
    spans = phrase_spans(text)  # "she lives round the corner": where she lives, not a corner
    named = [
        m.group(1)
        for m in _NAMED_THING.finditer(text)
        if not any(start <= m.start(1) < end for start, end in spans)
    ]
    words = unknown_words_in(named, rarity)
    return [w for w in words if not subjects_of(w)]  # "her mum": a person the sources call parent


def bare_word(word: str) -> str:
    """A word as it is looked up: without a possessive ("client's" -> "client"), in its own
    case (the index reads "PAs" as "PA", and "pas" as a word it never saw)."""
    return re.sub(r"['’]s?$", "", word)


def unknown_words_in(words: list[str], rarity: Rarity) -> list[str]:
    """The words (of three letters or more, and not GENERIC) the knowledge base never saw,
    nor searches by other words ("maximum": cap, limit; see query.PHRASES)."""
    bare = (bare_word(w) for w in words)
    return [
        w.lower()
        for w in bare
        if len(w) >= 3 and w.lower() not in GENERIC and rarity(w) is None and not phrase_hints(w)
    ]


_THING_BACK = re.compile(r"\b(?:it|its|they|them|their)\b", re.I)


def points_back(message: str) -> bool:
    """The message cannot be read alone: it opens leaning on what came before ("and", "what
    if"), or points at a thing said before ("it", "that", "one", "then", "they"). "Her" and
    "she" are usually the client, whom a message can name on its own terms."""
    return bool(
        _LEANS_ON.search(message) or _POINTER.search(message) or _THING_BACK.search(message)
    )


def opens_a_topic(message: str) -> bool:
    """The message leans on the conversation only by how it opens ("and who does the payroll?"),
    points at nothing said before ("it", "that", "they"), and names a topic of its own: it may
    be a new question, and its reading alone is worth answering too."""
    if _POINTER.search(message) or _THING_BACK.search(message):
        return False
    return any(kind == "topic" for kind, _ in subjects_of(message))


def is_follow_up(message: str, own: list[tuple[str, str]]) -> bool:
    if _LEANS_ON.search(message) or _PRONOUN.search(_strip_client(message)):
        return True
    if _POINTER.search(message) or _THERE.search(message):
        return True
    names_a_topic = any(kind in ("topic", "place", "keyword") for kind, _ in own) or any(
        kind == "person" and phrase != "PA" for kind, phrase in own
    )
    if names_a_topic:
        return False
    return len(_WORD.findall(message)) <= SHORT_WORDS


def takes_as_known(message: str, rarity: Rarity | None) -> bool:
    """The message speaks of "the" thing the knowledge base knows but the message does not name
    as a subject ("can the DP pay for the policy?" after employer's liability insurance):
    something said before. "The weather" is a thing the knowledge base never saw."""
    if rarity is None:
        return False
    return any(
        word.lower() not in GENERIC and not subjects_of(word) and rarity(word) is not None
        for word in _THE.findall(message)
    )


def resolve(
    message: str,
    turns: list[ConversationTurn],
    rarity: Rarity | None = None,
    *,
    lean: bool = False,
    despite_unknown: bool = False,
) -> Resolution:
    """The message as it is to be answered, given the conversation so far. `rarity` tells
    which of a message's own words are worth carrying to the next turn (see keywords_of).
    `lean=True` reads it as a follow-up even when nothing in it says so (see leans_quietly);
    `despite_unknown=True` even when it names a thing the knowledge base never saw."""
    own = subjects_of(message)
    own += [("keyword", w) for w in keywords_of(message, rarity, own)]
    own_phrases = [p for _, p in own]
    leans = lean or is_follow_up(message, own) or takes_as_known(message, rarity)
    if not turns or not leans:
        return Resolution(message, None, own_phrases)
    if not despite_unknown and unknown_words(message, rarity):  # "a licence for her dog?"
        return Resolution(message, None, own_phrases)
    earlier = _earlier_subjects(turns)
    if not earlier:
        return Resolution(message, None, own_phrases)
    later = _YEARS_LATER.search(message)
    if later and not any(k == "year" for k, _ in own):  # "and a year later?" after 2008: 2009
        years = [int(p) for k, p in earlier if k == "year"]
        if years:
            step = _NUMBER_WORDS.get(later.group(1).lower()) if later.group(1) else 1
            if step is None and later.group(1) and later.group(1).isdigit():
                step = int(later.group(1))
            if step:
                year = str(max(years) + step)
                own.append(("year", year))
                own_phrases.append(year)
                message = f"{message.rstrip(' ?.!')}, in {year}?"
    last = turns[-1].interpreted_as or turns[-1].question
    swapped = _name_swapped(message, last)
    if swapped is not None:  # "and TLAP?" after "what did Sarah Carr say?"
        return Resolution(swapped, swapped, own_phrases, frame=last)
    people_now = [p for k, p in own if k == "person" and p != "PA"]
    replaced = {k for k, _ in own if k in ("year", "place")}  # "and in 2010?", "and in Wales?"
    # "what about their right to work?" after DBS checks asks of the one instead of the other;
    # the source asked of stays ("and what about training in 2013?" after a survey)
    shifted = _SHIFTS.search(message) and any(k == "topic" for k, _ in own)
    said = message.lower()
    carried = [
        (k, p)
        for k, p in earlier
        if p not in own_phrases
        and not (k == "keyword" and p in said)
        and not (k == "person" and p != "PA" and people_now)  # "and her son?" replaces "daughter"
        and k not in replaced
        and not (shifted and k in ("topic", "keyword") and p not in SOURCES)
    ]
    person = next((p for k, p in earlier if k == "person" and p != "PA"), None)
    understood = message.strip()
    if person and not people_now and _SUBJECT_PRONOUN.search(understood):
        understood = _SUBJECT_PRONOUN.sub(f"the {person}", understood, count=1)
    carried_phrases = [p for _, p in carried if p not in understood]
    frame = turns[-1].question if _ELLIPSIS.search(message) else None
    if not carried_phrases and understood == message.strip():
        # "and TLAP?" after "what did Sarah Carr say?" carries nothing, but asks as that did
        return Resolution(message, None, own_phrases, frame=frame)
    text = f"{understood} {' '.join(carried_phrases)}".strip()
    shown = understood.rstrip(" ?.!")
    interpreted = f"{shown} ({', '.join(carried_phrases)})?" if carried_phrases else f"{shown}?"
    return Resolution(
        text,
        interpreted,
        own_phrases + [p for _, p in carried],
        carried=carried_phrases,
        frame=frame,
    )


def _name_swapped(message: str, last: str) -> str | None:
    """An elliptical message naming someone ("and TLAP?", "what about Helga Pile?") after a
    question that named someone else ("what did Sarah Carr say?"): that question, asked of
    the new name ("what did TLAP say?")."""
    if not _ELLIPSIS.search(message) or not SAID_QUESTION.search(last):
        return None
    new = _NAME.search(message) or _ACRONYM.search(message)
    old = _A_NAME.search(last[1:]) or _ACRONYM.search(last)
    if new is None or old is None or new.group(0).lower() == old.group(0).lower():
        return None
    if _ELLIPSIS.sub("", message).strip(" ?.!'s") != new.group(0):
        return None  # "and TLAP?", not "and in Northern Ireland?" nor "and what did X find?"
    start, end = (old.start() + 1, old.end() + 1) if old.re is _A_NAME else old.span()
    return f"{last[:start]}{new.group(0)}{last[end:]}"


def _earlier_subjects(turns: list[ConversationTurn]) -> list[tuple[str, str]]:
    """The subjects of the last turn that named any (it carries what it inherited)."""
    for turn in reversed(turns):
        if turn.subjects:
            known = {phrase: kind for kind, _, phrase in _COMPILED}
            return [
                (known.get(p, "year" if _YEAR.fullmatch(p) else "keyword"), p)
                for p in turn.subjects
            ]
    return []


def _strip_client(text: str) -> str:
    """ "my client ... her" is the client, not someone earlier: "her daughter", "her PA" do
    not make a question a follow-up; a bare "she"/"he"/"they"/"it"/"that" does. Without a
    person of its own ("what should their induction cover?") the possessive points back."""
    if not _OWN_PERSON.search(text):
        return text
    return re.sub(r"\b(?:her|his|their)\s+(?=\w)", "", text, flags=re.I)
