"""Personal data out before anything is stored, logged or sent on.

A careful rule set (no PyPI package ships an offline UK-aware model) that errs towards removing:
every ten-digit number (labelled an NHS number when its check digit is valid or "NHS" precedes
it), anything shaped like a National Insurance number or a UK postcode, allocated or not,
phone numbers, email addresses, dates of birth, street addresses, and people's names (after an
honorific, after "my client" and relationship words, after "called"/"named"). A detected
name's parts are then removed wherever else they appear in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAL_DATA_NOTICE = (
    "Your question contained personal details ({kinds}), which were removed before anything was "
    "stored. Please don't include names, identifiers or contact details when asking Signpost."
)

_EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_NHS = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_NHS_CUE = re.compile(r"\bNHS\s*(?:no\.?|number|num|#)?\s*:?\s*$", re.I)
# Recall first: any two letters, six digits and A-D, in any spacing. HMRC's own example
# (QQ 12 34 56 C) and unallocated prefixes are still somebody's number, or meant to look like one.
_NI = re.compile(r"\b[A-Z][\s-]?[A-Z](?:[\s-]?\d){6}[\s-]?[A-D]\b", re.I)
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-()]{0,2}){8,10}\d(?![\d])")
# Any outward code (one or two letters, a digit, an optional letter or digit) and inward code
# (a digit, two letters): not only the letters Royal Mail allocates.
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b", re.I)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_NUMERIC = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
_DATE_WORDS = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}"
_DATE_US = rf"{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
_DATE_ISO = r"(?:19|20)\d{2}-\d{2}-\d{2}"
_DATE = rf"(?:{_DATE_NUMERIC}|{_DATE_WORDS}|{_DATE_US}|{_DATE_ISO})"
_DOB_CUED = re.compile(
    rf"\b(?:born(?:\s+on)?(?:\s+the)?|d\.?o\.?b\.?|date\s+of\s+birth|birthday(?:\s+is)?)"
    rf"\s*[:(]?\s*({_DATE})",
    re.I,
)
_DATE_ANY_NUMERIC = re.compile(rf"(?<![\d/.\-]){_DATE_NUMERIC}(?![\d/.\-])")
_STREET_TYPES = (
    r"(?i:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|court|ct|way|place|pl|crescent|"
    r"cres|gardens|gdns|terrace|grove|hill|park|row|square|sq|walk|mews|view|rise|parade|green)"
)
_ADDRESS = re.compile(
    rf"\b(?:(?i:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+"
    rf"(?:[A-Z][a-z'’]+\s+){{1,3}}{_STREET_TYPES}\b\.?",
)
_SURNAME = r"(?:Ma?c|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
_NAME_WORD = rf"{_SURNAME}|[A-Z]\b"
_NAME = rf"(?:{_NAME_WORD})(?:\s+(?:{_SURNAME}))?"
_HONORIFIC = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord)\.?\s+({_NAME})")
# "mrs okafor": typed in lower case, the word after an honorific is still a surname
_HONORIFIC_LOWER = re.compile(r"\b(?:mr|mrs|ms|miss|mx)\.?\s+([a-z][a-z'’\-]{2,})\b")
# "Kwame is 84", "Anouk (service user)", "Siobhan's daughter": a capitalised word that a
# case detail describes
_DESCRIBED = re.compile(
    r"\b([A-Z][a-z'’\-]{2,})(?=\s+is\s+(?:aged\s+)?\d{1,3}\b|\s*\((?:service user|client|"
    r"patient|resident|aged?\s*\d+|\d{1,3})\)|['’]s\s+(?:son|daughter|mum|mother|dad|father|"
    r"husband|wife|partner|carer|PA|niece|nephew|brother|sister|grandson|granddaughter)\b)"
)
_RELATION = (
    r"client|service user|user|patient|resident|customer|tenant|son|daughter|mother|mum|"
    r"father|dad|wife|husband|partner|brother|sister|niece|nephew|aunt|auntie|uncle|grandson|"
    r"granddaughter|grandmother|grandfather|gran|nan|grandma|grandad|carer|friend|neighbour|"
    r"boyfriend|girlfriend|stepson|stepdaughter|cousin|PA|personal assistant|lodger|guy|man|"
    r"woman|lady|gentleman|gent|boy|girl|person"
)
_RELATION_NAME = re.compile(
    rf"\b(?i:{_RELATION})(?:\s*[,(]\s*|\s+(?i:called|named|is|was)\s+|\s+)({_NAME})"
)
_CALLED = re.compile(rf"\b(?i:called|named|name is|name's|known as)\s+({_NAME})")
# Common UK first names (ONS baby-name and census lists), minus ones that are also ordinary
# words (May, Will, Grace, Mark...). A listed name is redacted even without a cue.
FIRST_NAMES = frozenset(
    """
    Aaron Abdul Abigail Adam Adrian Aisha Alan Albert Alex Alexander Alfie Alice Alison
    Amanda Amelia Amir Amy Andrea Andrew Angela Ann Anna Anne Anthony Arthur Ava Barbara
    Barry Ben Benjamin Beryl Beth Bethany Betty Brenda Brian Callum Carl Caroline Catherine
    Charles Charlie Charlotte Chloe Chris Christine Christopher Claire Colin Craig Daniel
    Darren David Dean Deborah Denise Dennis Derek Diane Donna Doreen Dorothy Edward Eileen
    Eleanor Elizabeth Ella Ellie Emily Emma Eric Ethan Evelyn Fatima Fiona Freddie Gary
    Gemma Geoffrey George Georgia Gillian Gordon Graham Hannah Harry Hassan Hazel Heather
    Helen Henry Holly Ian Irene Isabella Isla Jack Jacob Jacqueline James Jamie Jane Janet
    Janice Jason Jean Jennifer Jessica Jill Joan Joanne John Jonathan Joseph Joshua Joyce
    Judith Julie Karen Kathleen Katie Kayleigh Keith Kenneth Kevin Kim Kirsty Laura Lauren
    Leah Lee Leo Leon Lesley Liam Linda Lisa Logan Louise Lucy Lynne Margaret Maria Marie
    Marion Martin Mary Matthew Maureen Megan Michael Michelle Mohammed Muhammad Nathan Neil
    Nicola Nigel Noah Norma Oliver Olivia Oscar Pamela Patricia Paul Pauline Peter Philip
    Priya Rachel Rebecca Richard Robert Ronald Ryan Samantha Samuel Sandra Sarah Scott
    Sharon Shirley Simon Sophie Stephen Steven Stuart Susan Teresa Theo Thomas Timothy Tom
    Tracey Valerie Wendy William Yusuf Zara Zoe Dave Jo Jim Bob Sue Pat Liz Kath Jan Val
    Maggie Bev Dot Sid Stan Reg Ted Fred Alf Bert
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_FIRST_NAME = re.compile(
    r"\b(" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + rf")\b(?:\s+({_SURNAME}))?"
)
_NOT_NAMES = {
    "I",
    "A",
    "The",
    "He",
    "She",
    "They",
    "We",
    "It",
    "His",
    "Her",
    "Their",
    "This",
    "That",
    "Who",
    "What",
    "When",
    "Where",
    "Why",
    "How",
    "Can",
    "Could",
    "Should",
    "Would",
    "Is",
    "Are",
    "Was",
    "Has",
    "Have",
    "Had",
    "Does",
    "Do",
    "Did",
    "Will",
    "May",
    "Might",
    "Must",
    "And",
    "But",
    "Or",
    "If",
    "As",
    "At",
    "In",
    "On",
    "To",
    "For",
    "With",
    "From",
    "By",
    "Of",
    "Not",
    "PA",
    "PAs",
    "NHS",
    "NI",
    "DBS",
    "HMRC",
    "Care",
    "Act",
    "Council",
    "England",
    "Wales",
    "Scotland",
    "Ireland",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Mental",
    "Capacity",
    "Direct",
    "Payment",
    "Payments",
    "Also",
    "Wants",
    "Lives",
    "Needs",
    "Cannot",
    "Can't",
    "Won't",
    "Aged",
    "Age",
    "Who's",
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Dr",
    "Prof",
    "Sir",
    "Dame",
    "Lady",
    "Lord",
    # "Someone's PA", "Client's daughter", "Mum's carer": words for a person, not names
    "Someone",
    "Somebody",
    "Everyone",
    "Everybody",
    "Anyone",
    "Anybody",
    "Nobody",
    "One",
    "My",
    "Our",
    "Your",
    "Client",
    "Clients",
    "Mum",
    "Dad",
    "Mother",
    "Father",
    "Son",
    "Daughter",
    "Husband",
    "Wife",
    "Partner",
    "Carer",
    "Neighbour",
    "Nephew",
    "Niece",
    "Brother",
    "Sister",
    "Friend",
    "Family",
    "Person",
}


_LOWER_STOPWORDS = {
    "and",
    "or",
    "the",
    "are",
    "is",
    "was",
    "were",
    "has",
    "have",
    "had",
    "can",
    "could",
    "should",
    "would",
    "will",
    "may",
    "might",
    "must",
    "not",
    "with",
    "for",
    "from",
    "who",
    "what",
    "when",
    "where",
    "which",
    "how",
    "why",
    "this",
    "that",
    "her",
    "his",
    "their",
    "she",
    "him",
    "them",
    "they",
    "our",
    "your",
    "honorifics",
    "etc",
    "also",
}


@dataclass
class Redaction:
    text: str
    found: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.found)

    def notice(self) -> str | None:
        if not self.found:
            return None
        kinds = ", ".join(_KIND_LABELS[k] for k in _KIND_ORDER if k in self.found)
        return PERSONAL_DATA_NOTICE.format(kinds=kinds)


_KIND_ORDER = ["name", "nhs", "ni", "dob", "address", "postcode", "phone", "email"]
_KIND_LABELS = {
    "name": "a name",
    "nhs": "an NHS number",
    "id": "an identifying number",
    "ni": "a National Insurance number",
    "dob": "a date of birth",
    "address": "an address",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
}
PLACEHOLDERS = {
    "name": "[name]",
    "nhs": "[NHS number]",
    "id": "[ID number]",
    "ni": "[NI number]",
    "dob": "[date of birth]",
    "address": "[address]",
    "postcode": "[postcode]",
    "phone": "[phone]",
    "email": "[email]",
}


def nhs_checksum_ok(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def redact(text: str, public: Callable[[str], bool] | None = None) -> Redaction:
    """`text` with personal data replaced by placeholders. `public` says whether a listed
    first name with a surname ("Sarah Carr") is someone the knowledge base's sources quote,
    a public figure asked about rather than a case detail: such a name is kept, unless the
    message introduces it as a person the practitioner works with ("my client Sarah Carr")."""
    found: Counter[str] = Counter()

    def sub(pattern: re.Pattern[str], kind: str, value: str, *, group: int = 0) -> str:
        def replace(match: re.Match[str]) -> str:
            found[kind] += 1
            start, end = match.span(group)
            whole = match.group(0)
            offset = match.start(0)
            return whole[: start - offset] + PLACEHOLDERS[kind] + whole[end - offset :]

        return pattern.sub(replace, value)

    out = sub(_EMAIL, "email", text)

    def nhs(match: re.Match[str]) -> str:
        digits = "".join(match.groups())
        cued = bool(_NHS_CUE.search(out_ref[0][: match.start()]))
        # A bad check digit is still somebody's number (a typo in an NHS number, or another
        # identifier): recall first, so every ten-digit number goes; only its label differs.
        kind = "nhs" if nhs_checksum_ok(digits) or cued else "id"
        found[kind] += 1
        return PLACEHOLDERS[kind]

    out_ref = [out]
    out = _NHS.sub(nhs, out)
    out = sub(_NI, "ni", out)
    out = sub(_DOB_CUED, "dob", out, group=1)
    out = sub(_DATE_ANY_NUMERIC, "dob", out)
    out = sub(_PHONE, "phone", out)
    out = sub(_ADDRESS, "address", out)
    out = sub(_POSTCODE, "postcode", out)

    names: set[str] = set()

    def name(match: re.Match[str]) -> str:
        candidate = match.group(1)
        words = candidate.split()
        while words and words[-1] in _NOT_NAMES:
            words.pop()
        if not words or words[0] in _NOT_NAMES:
            return match.group(0)
        taken = " ".join(words)
        names.update(w for w in words if len(w) > 1)
        found["name"] += 1
        start = match.start(1) - match.start(0)
        whole = match.group(0)
        return whole[:start] + PLACEHOLDERS["name"] + whole[start + len(taken) :]

    for pattern in (_HONORIFIC, _RELATION_NAME, _CALLED, _DESCRIBED):
        out = pattern.sub(name, out)

    def lower_surname(match: re.Match[str]) -> str:
        word = match.group(1)
        if word in _LOWER_STOPWORDS:
            return match.group(0)
        names.add(word)
        found["name"] += 1
        return match.group(0)[: match.start(1) - match.start(0)] + PLACEHOLDERS["name"]

    out = _HONORIFIC_LOWER.sub(lower_surname, out)

    kept: list[str] = []  # public figures, set aside while listed first names are redacted

    def keep(match: re.Match[str]) -> str:
        if public is None or not match.group(2) or not public(match.group(0)):
            return match.group(0)
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    out = _FIRST_NAME.sub(keep, out)

    def first_name(match: re.Match[str]) -> str:
        words = [w for w in match.groups() if w and w not in _NOT_NAMES]
        names.update(words)
        found["name"] += 1
        return PLACEHOLDERS["name"] + (
            " " + match.group(2) if match.group(2) and match.group(2) in _NOT_NAMES else ""
        )

    out = _FIRST_NAME.sub(first_name, out)
    for word in sorted(names, key=len, reverse=True):
        out, count = re.subn(rf"\b{re.escape(word)}\b", PLACEHOLDERS["name"], out)
        found["name"] += count
    out = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)
    out = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)
    return Redaction(out, found)


_OTHER_PLACEHOLDERS = "|".join(re.escape(p) for k, p in PLACEHOLDERS.items() if k != "name")
_LABEL = (
    r"(?:DOB|d\.o\.b\.?|born(?: on)?|date of birth|NHS (?:number|no\.?)|NI (?:number|no\.?)|"
    r"(?:lives|living|based|resides) at|at|address|tel|phone|mobile|email|postcode)"
)
# a placeholder other than a name, with the label that introduces it, or in brackets
_LABELLED = re.compile(
    rf"\(\s*(?:{_LABEL}\s*:?\s*)?(?:{_OTHER_PLACEHOLDERS})\s*\)"
    rf"|(?:\b{_LABEL}\s*:?\s*)?(?:{_OTHER_PLACEHOLDERS})",
    re.I,
)
_TITLED_NAME = re.compile(r"\b(?:Mrs|Mr|Ms|Miss|Mx|Dr)\.?\s+(?=\[name\])")


def for_reading(text: str) -> str:
    """A redacted message as it is understood and answered: the placeholders (and the labels
    that introduce them) say nothing about what is asked ("Mrs [name] (DOB [date of birth])
    lives at [address], can she pay her neighbour ...?" searched 'birth', 'address' and
    'dob'). A name stays, as "[name]": it can be the person to be paid. What is stored and
    logged is the redacted text itself."""
    out = _TITLED_NAME.sub("", _LABELLED.sub(" ", text))
    out = re.sub(r"\s+([,.;:?!])", r"\1", re.sub(r"\s{2,}", " ", out))
    out = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", out)
    out = re.sub(r"^[\s,;:]+", "", out)
    return out.strip() or text
