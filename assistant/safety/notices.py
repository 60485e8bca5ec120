"""Notices given beside an answer: safeguarding, other UK nations, stale sources; and the kind
of each source (legal duty, statutory guidance, practice guidance, curriculum, survey)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from importlib import resources

import yaml

from ingest.documents import DocumentRecord

SAFEGUARDING_NOTICE = (
    "If someone is at risk of abuse, neglect or self-harm now, follow your local safeguarding "
    "procedures and tell your safeguarding lead today. In an emergency, call 999."
)
REVIEW_AFTER = dt.timedelta(days=365)

# Harm happening or threatened now...
# someone's money, spent on (or for) someone: "the DP on", "her pension for"
_FUNDS = r"(?:[\w-]+ )?(?:DP|direct payment|money|budget|cash|pension|benefits|savings) (?:on|for) "
_HARM = re.compile(
    r"\b(?:hit(?:s|ting)?|beat(?:s|en|ing)?|slap(?:s|ped|ping)?|punch(?:es|ed|ing)?|"
    r"kick(?:s|ed|ing)?|bruis(?:e|es|ed|ing)|push(?:es|ed|ing)|shov(?:e|es|ed|ing)|"
    r"abus(?:e|es|ed|ing)|neglect(?:s|ed|ing)?|exploit(?:s|ed|ing)?|"
    # sexual abuse
    r"sexual(?:ly)? (?:abus|assault|touch|harass)\w*|rap(?:e|ed|ing)\b|indecent\w*|"
    r"touch(?:es|ed|ing)? (?:her|him|them|my client) (?:inappropriately|sexually)|"
    r"inappropriate(?:ly)? touch\w*|"
    # psychological abuse: shouting, names, humiliation, bullying
    r"(?:shout|scream|yell|swear)(?:s|ed|ing)? at (?:her|him|them|my client)|swore at|"
    r"call(?:s|ed|ing)? (?:her|him|them|my client) names|humiliat\w*|intimidat\w*|"
    r"bull(?:ied|ying) by|bull(?:ies|y|ying) (?:her|him|them|my client)\b|"
    # rough handling
    r"rough (?:with (?:her|him|them|my client)|handl\w*)|manhandl\w*|"
    r"grab(?:s|bed|bing) (?:her|him|them|my client)\b|"
    # neglect: food, care, hygiene kept from the person
    r"(?:hasn't|has not|hadn't|had not|hasnt) (?:eaten|been fed|had (?:a |any )?(?:meal|food|"
    r"drink|wash))|(?:soiled|wet|dirty|urine-soaked) (?:clothes|clothing|bed|bedding|pads?|"
    r"sheets)|sitting in (?:urine|faeces|her own|his own)|"
    r"(?:leav(?:es|ing)|left) (?:her|him|them|my client) (?:in bed|in the dark|unwashed|"
    r"without (?:care|help|food|water|drinks?|meals?|medication|heating))|"
    r"left in bed all day|"
    r"(?:won't|will not|doesn't|does not|refuses? to) let (?:her|him|them|my client) "
    r"(?:eat|drink|sleep|wash|go out|out|leave)\b|(?:keeps?|kept|keep on) (?:missing|skipping) "
    r"(?:visits|calls|shifts)\b|(?:is|was|been|being|gets?|got) left without (?:care|help)\b|"
    # making someone sign or hand things over
    r"(?:mak(?:es|ing)|made|forc(?:es|ed|ing)) (?:her|him|them|my client) (?:to )?"
    r"(?:sign|hand over|give (?:him|her|them) (?:money|cash|her|his|their))|"
    # thoughts of suicide or self-harm in everyday words
    r"end it all|(?:take|taking|took|end|ending) (?:her|his|their) own life|"
    r"wants? to die\b|(?:does not|doesn't|do not|don't) want to (?:live|be here|go on)"
    r"(?: any ?more)?(?=[.?!,;]|$| and\b| but\b)|"
    r"(?:harm|hurt|cut)(?:s|ing)? (?:her|him|them)sel(?:f|ves)|"
    r"threat(?:en|ens|ened|ening)?|(?:scared|afraid|frightened|terrified) (?:of|to)|"
    # fear or withdrawal shown ("she looks frightened at visits", "seems withdrawn"): a warning
    # sign in itself, whatever it is of
    r"(?:looks?|looked|seems?|seemed|appears?|appeared|is|was|gets?|got|became|becomes?) "
    r"(?:so |very |really |quite |more |a bit |)(?:scared|afraid|frightened|terrified|"
    r"fearful|withdrawn)|"
    # taking over someone's money ("her son has taken over her bank card")
    r"(?:tak(?:es|en|ing)|took) (?:over|control of) (?:(?:all )?(?:her|his|their) )"
    r"(?!own\b)(?:[\w-]+ ){0,2}(?:money|cash|cards?|pension|benefits|savings|account|finances|"
    r"direct payment)\b|"
    r"locked (?:in|up)|borrow(?:s|ing|ed)? (?:money|cash)[^.?!]{0,40}\bnever\b|"
    r"steal(?:s|ing)?|stole|stolen|"
    # (a person who "takes a direct payment" receives one: no harm in that)
    r"(?:tak(?:es|en|ing)|took|help(?:s|ing|ed)? (?:him|her|them)sel(?:f|ves) to) "
    r"(?!(?:up |on |out )?(?:a|an) (?:direct payment|personal budget)\b)"
    r"(?:(?:her|his|their|the) )?(?:[\w-]+ ){0,3}"
    r"(?:money|cash|cards?|pension|benefits|savings|direct payment)\b(?! back)|"
    r"(?:money|cash) (?:from|out of) (?:her|his|their)|"
    # timesheets for care that did not happen ("the timesheets don't match the care she got")
    r"(?:timesheets?|time sheets?) (?:that |which )?(?:do(?:n't|esn't| not|es not)|did(?:n't| "
    r"not)|never|won't|will not) (?:\w+ )?(?:match|add up|tally)|(?:fake|false|made-up|padded) "
    r"(?:timesheets?|time sheets?)|"
    # paid for care that never came ("the PA is claiming for visits that were never done")
    r"(?:claim(?:s|ed|ing)?|charg(?:es|ed|ing)|bill(?:s|ed|ing)?|paid) (?:her |him |them )?for "
    r"(?:visits|hours|care|shifts|support) (?:that |which )?(?:were |was |she |he |they )?"
    r"(?:never|not|didn't|did not) (?:\w+ )?(?:done|worked|delivered|given|provided|do|work|"
    r"deliver|give|provide)\b|"
    # the money spent on the one who holds it ("the authorised person is spending the DP on
    # themselves"; her own money on herself is hers to spend)
    r"(?:spend(?:s|ing)?|spent|us(?:es|ing|ed)) (?:all )?(?:"
    r"the " + _FUNDS + r"(?:(?:him|them)sel(?:f|ves)|(?:his|their) own)|"
    r"her " + _FUNDS + r"(?:(?:him|them)sel(?:f|ves)|(?:his|their) own)|"
    r"his " + _FUNDS + r"(?:(?:her|them)sel(?:f|ves)|(?:her|their) own)|"
    r"their " + _FUNDS + r"(?:(?:him|her)sel(?:f|ves)|(?:his|her) own))\b|"
    r"(?:money|cash|savings) (?:is |has gone |gone |going )?missing|missing (?:money|cash)|"
    r"(?:has|had|holds|held|keeps|kept) (?:had )?(?:her|his|their) (?:bank )?(?:cards?|PIN)\b|"
    r"(?:using|used|uses|taking|took) (?:her|his|their) (?:bank )?"
    r"(?:cards?|money|cash|account|pension|savings)\b[^.?!]{0,30}\bwithout\b|"
    r"self[- ]?harm(?:s|ing|ed)?|suicid(?:e|al)|kill (?:her|him|them)sel(?:f|ves)|"
    r"end (?:her|his|their) (?:life|lives)|overdos(?:e|ed)|not (?:been )?(?:fed|eating|washed)|"
    r"left alone for|(?:leav(?:es|ing)|left) (?:her|him|them) alone|no food|"
    r"without (?:food|water|drinks?|meals?|medication)|"
    r"starv(?:e|ing|ed)|forced to|coerc(?:e|ed|ing)|"
    # medicines misused or kept from the person ("giving her the wrong tablets on purpose")
    r"(?:giv(?:es|ing|en)|gave|g[oe]t(?:s|ting)?) (?:her|him|them|my client) (?:the )?(?:wrong|too "
    r"many|too much|extra|someone else's) (?:tablets?|pills?|medication|medicines?|meds|doses?)|"
    r"(?:withhold(?:s|ing)?|withheld|hid(?:es|ing|den)?|hiding|not giving|stopped giving|"
    r"refus(?:es|ing|ed) to give) (?:(?:her|him|them|my client) )?(?:(?:her|his|their) )?"
    r"(?:tablets?|pills?|medication|medicines?|meds|food|drinks?)\b|drugg(?:ed|ing)\b|"
    r"sedat(?:es|ed|ing) (?:her|him|them)\b|"
    # pressure over money ("he'll stop visiting unless she gives him her pension")
    r"unless (?:she|he|they|my client) (?:gives?|hands? over|lends?|pays?|signs? over) "
    r"(?:(?:him|her|them) )?(?:(?:her|his|their|the) )?(?:[\w-]+ ){0,2}(?:money|cash|pension|"
    r"benefits|savings|cards?|PIN|house|property|direct payment)\b|"
    r"(?:pressur(?:e|es|ed|ing)|bull(?:y|ies|ied|ying)) (?:her|him|them|my client) (?:for|into|"
    r"to) [^.?!]{0,30}\b(?:money|cash|pension|benefits|savings|cards?|house|property)\b|"
    r"demand(?:s|ed|ing)? (?:her|his|their) (?:money|cash|pension|benefits|savings|cards?|PIN)\b|"
    # control over the person's money, visitors or contact (financial abuse's warning signs)
    r"controls? (?:(?:her|his|their|all (?:her|his|their)) )?(?:money|finances|cards?|"
    r"access|visitors|who (?:visits|sees|comes|she sees|he sees))|"
    r"(?:won't|will not|doesn't|does not|refuses? to|never) lets? (?:me|us|her|him|them|"
    r"anyone|anybody|(?:the|a|any|our|my) (?:social workers?|workers?|carers?|PAs?|nurses?|"
    r"doctors?|GP|council|staff|visitors?|family|friends?)) "
    r"(?:see|speak|talk|visit|go out|have (?:her|his|their) (?:money|cards?))|"
    r"stops? (?:her|him|them|me|us|anyone|(?:the|a|any|our|my) (?:social workers?|workers?|"
    r"carers?|PAs?|nurses?|doctors?|GP|council|staff|visitors?|family|friends?)) "
    r"(?:from )?(?:seeing|speaking|talking|visiting|going out)|"
    r"isolat(?:es|ed|ing) (?:her|him|them))",
    re.I,
)
# ...to a particular person, rather than a question about the topic in general.
_PERSON = re.compile(
    r"\b(?:my (?:client|service user|patient|resident|customer|mum|mother|dad|father|son|"
    r"daughter|husband|wife|partner)|(?:her|his|their) (?:son|daughter|carer|PA|partner|"
    r"husband|wife|neighbour|nephew|niece|brother|sister|grandson|granddaughter)|"
    r"\[name\]|she(?:'s| is| has| was)?|he(?:'s| is| has| was)?|they(?:'re| are)|"
    r"(?:i|we) think|(?:i|we) suspect|(?:i|we)(?:'m|'re| am| are) (?:worried|concerned)|"
    r"some(?:one|body)'s|"
    r"(?:\w+|\[name\])'s (?:son|daughter|carer|PA|partner|husband|wife|neighbour|nephew|niece|"
    r"brother|sister|grandson|granddaughter|friend|family)|"
    r"the (?:PA|carer|personal assistant|authorised person|appointee)|"
    r"(?:a|the) (?:woman|man|lady|gentleman|person) (?:i|we) (?:support|visit))\b",
    re.I,
)
_NATION_WORDS = {
    "Wales": ["Wales", "Welsh"],
    "Scotland": ["Scotland", "Scottish"],
    "Northern Ireland": ["Northern Ireland", "Northern Irish"],
}
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [w.casefold().replace("’", "'") for w in _WORD.findall(text)]


@functools.cache
def _gazetteer() -> tuple[dict[tuple[str, ...], str], int]:
    """Place name (as a tuple of words) -> nation, from the shipped data file: the nations'
    names plus the principal towns, cities and local authorities of each."""
    raw = yaml.safe_load(resources.files("assistant.safety").joinpath("places.yaml").read_text())
    places: dict[tuple[str, ...], str] = {}
    for nation, names in raw.items():
        for name in [*names, *_NATION_WORDS[nation]]:
            places[tuple(_words(name))] = nation
    return places, max(map(len, places))


def nations_named(text: str) -> list[str]:
    """The UK nations other than England that a text names, directly or by a place in them."""
    return list(_nations_named(text))


@functools.lru_cache(maxsize=4096)
def _nations_named(text: str) -> tuple[str, ...]:
    """nations_named, remembered: an answer asks it of the same texts several times."""
    places, longest = _gazetteer()
    words = _words(text)
    named: list[str] = []
    for start in range(len(words)):
        for size in range(min(longest, len(words) - start), 0, -1):
            nation = places.get(tuple(words[start : start + size]))
            if nation is not None:
                if nation not in named:
                    named.append(nation)
                break
    return tuple(named)


def safeguarding_notice(question: str) -> str | None:
    """Only when a question describes someone at risk now, not a general question about abuse."""
    if _HARM.search(question) and _PERSON.search(question):
        return SAFEGUARDING_NOTICE
    return None


def jurisdiction_notice(question: str, cited: list[DocumentRecord]) -> str | None:
    named = nations_named(question)
    if not named or not cited:
        return None
    covered = [
        nation
        for nation in named
        if any(nation.lower() in (r.jurisdiction or "").lower() for r in cited)
    ]
    missing = [n for n in named if n not in covered]
    if not missing:
        return None
    places = " and ".join(missing)
    return (
        f"You asked about {places}, but these sources describe the law in England. Social care "
        f"law differs in {places}: check the local rules before relying on this answer."
    )


def review_due(reviewed: str | None, today: dt.date, *, unknown_is_due: bool = False) -> bool:
    """The one review rule: a source last reviewed over 12 months ago is due. A missing or
    unreadable date counts as due only where asked (the trainer's table, not the notice
    practitioners see)."""
    if not reviewed:
        return unknown_is_due
    try:
        return today - dt.date.fromisoformat(reviewed) > REVIEW_AFTER
    except ValueError:
        return unknown_is_due


def review_notice(cited: list[tuple[int, DocumentRecord]], today: dt.date) -> str | None:
    stale = [
        f"[{n}] (last reviewed {record.reviewed})"
        for n, record in cited
        if review_due(record.reviewed, today)
    ]
    if not stale:
        return None
    return (
        f"Source {', '.join(stale)} has not been reviewed for over 12 months: check for newer "
        "guidance before relying on it."
    )


def source_kind(record: DocumentRecord) -> str:
    """legal duty | statutory guidance | practice guidance | curriculum | survey finding (year),
    or, for a document that declares no type, what it is: article | document"""
    if record.genre:
        return record.genre
    if record.source_type == "legislation":
        return "legal duty"
    if record.source_type == "survey":
        year = (record.published or "")[:4]
        return f"survey finding ({year})" if year.isdigit() else "survey finding"
    if record.source_type == "curriculum":
        return "curriculum"
    if record.source_type == "guidance" and "statutory" in _where(record):
        return "statutory guidance"
    if record.source_type == "practice-note" and not (record.publisher or record.source_url):
        return "document"  # indexed before genres were recorded, and nothing says who wrote it
    return "practice guidance"


def kind_label(record: DocumentRecord) -> str:
    """How an answer introduces a source: 'Survey, 2011', 'Legal duty', ..."""
    kind = source_kind(record)
    if kind.startswith("survey finding"):
        year = (record.published or "")[:4]
        return f"Survey, {year}" if year.isdigit() else "Survey"
    return kind[0].upper() + kind[1:]


def _where(record: DocumentRecord) -> str:
    return f"{record.title} {record.publisher or ''} {record.source_url or ''}".lower()
