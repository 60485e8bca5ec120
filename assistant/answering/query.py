"""Question clean-up before retrieval: Slack-style shorthand and the field's abbreviations
are expanded in place (the original words stay, so exact matches still count)."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

# Abbreviations practitioners type, with their expansions. Case-sensitive on purpose: "PA"
# is a personal assistant, "pa" is not; plurals ("PAs", "DPs") are matched too.
ABBREVIATIONS: dict[str, str] = {
    "PA": "personal assistant",
    "SW": "social worker",
    "DP": "direct payment",
    "PB": "personal budget",
    "ISF": "individual service fund",
    "MCA": "Mental Capacity Act",
    "RAS": "resource allocation system",
    "LA": "local authority",
    "NMW": "National Minimum Wage",
    "NLW": "National Living Wage",
    "SSP": "Statutory Sick Pay",
    "DBS": "Disclosure and Barring Service check",
    "MSP": "Making Safeguarding Personal",
    "TLAP": "Think Local Act Personal",
    "PPF": "Putting People First",
    "CQC": "Care Quality Commission",
    "ADASS": "Association of Directors of Adult Social Services",
    "BASW": "British Association of Social Workers",
    "SCIE": "Social Care Institute for Excellence",
    "HMRC": "HM Revenue and Customs tax",
    "PAYE": "Pay As You Earn payroll tax",
    "LPA": "lasting power of attorney",
}
# Phrases practitioners use for what the sources say another way (added, never replacing).
PHRASES: dict[str, str] = {
    r"\bday one\b|\bday-one\b|\bfrom the start\b": "first day",
    r"\bcompulsory\b|\bmandatory\b|\bobliged\b|\bby law\b|\blegally\b|\brequired in law\b": (
        "legal requirement"
    ),
    r"\b(?:the|a|any) fines?\b|\bfined\b": "penalty",
    # "can she buy a tablet computer with her DP?": the sources' "technology", "a laptop"
    r"\btablet computers?\b|\bi-?pads?\b|\bsmart ?phones?\b|\bmobile phones?\b|"
    r"\bcomputers?\b": "technology equipment",
    # "can a PA be paid for sleeping over?": the sources' "sleep-in" shift
    r"\bsleep(?:s|ing)? over\b|\bsleepovers?\b|\bslept over\b|\bovernight stays?\b|"
    r"\bstay(?:s|ed|ing)? (?:the night|overnight)\b": "sleep-in",
    r"\bpenalt(?:y|ies)\b": "fined",
    r"\bsack(?:ed|ing)?\b|\bfire[ds]?\b|"
    r"\blet (?:(?:her|his|their|the|my|our) (?:PAs?|personal assistants?|carers?|staff|"
    r"workers?)(?: \([^)]*\))?|her|him|them) go\b"
    r"(?! (?:home|out|on|to|with|early|for|back|off|shopping|swimming)\b)": "dismiss fair reason",
    r"\bstop(?:ped|ping|s)?\b": "end",
    # a payment taken from someone ("should we take the direct payment off her?"): stopped
    r"\btak(?:e|es|ing|en) (?:the |her |his |their )?(?:DP|direct payment|money|budget) "
    r"(?:off|away from) (?:her|him|them)\b|\btak(?:e|es|ing|en) (?:it|the DP|the direct payment|"
    r"her DP|her direct payment) away\b": "stop taking the direct payment away",
    r"\bpa(?:y|ys|ying|id) in(?:to)?\b|\bput (?:in|into|aside)\b": "contribution",
    r"\b(?:which|what) (?:part of the |bit of the )?law\b|\bbacks? (?:it|this|that) up\b|"
    r"\bwhere in the law\b|\bwhat(?:'s| is) the law (?:for|on|about|in)\b|"
    r"\bwhat (?:does|do) the (?:law|legislation|Act) (?:say|says|require)\b|"
    r"\bwhat(?:'s| is) the legal position\b": ("legal basis Act section"),
    r"\breplace[ds]\b|\b(?:will|would|to) replace\b|\bsucceeded\b|\bcame after\b|\bcame next\b|"
    r"\b(?:took|take[ns]?|taking) over\b": "followed",
    r"\b(?:came|went|was there|existed) before\b|\bpreced(?:ed|ing)\b|\bpredecessors?\b|"
    r"\b(?:did|does)\b[^?.!]{1,60}\breplace\b": ("earlier law history dating back"),
    r"\b(?:come|came) from\b|\boriginate[ds]?\b|\borigins?\b": "origin history began",
    r"\brefus(?:e|es|ed|ing) to (?:join|be enrolled)\b|"
    r"(?:\bnot|n't) (?:want to )?(?:join|be enrolled)\b|"
    r"\bleave the pension\b": "opt out",
    # who meets a cost: the sources say what meets the costs, or what they are paid for by
    r"\bwho (?:pays|funds|foots the bill for|covers the costs? of|(?:'s|is) paying) for\b|"
    r"\bwho (?:funds|foots the bill for|covers the costs? of)\b": ("costs paid for by"),
    # a language named ("a PA who speaks Urdu"): what an advert may ask for
    r"\bspeak(?:s|ing)? (?:(?-i:[A-Z][a-z]+|BSL)|sign language)\b": "language",
    # kept current ("how can a PA keep their DBS up to date?": the Update Service)
    r"\bup[- ]to[- ]date\b": "current",
    # at once, in the sources' word ("can the council stop the DP straight away?")
    r"\bstraight away\b|\bright away\b|\bat once\b|\bwithout (?:any )?warning\b": "immediately",
    # someone who looks after the person unpaid is a carer, with rights of their own
    r"\b(?:cares|caring) for (?:her|him|them)\b|\blooks? after (?:her|him|them)\b": "carer",
    # what a carer gets in their own right ("is he entitled to anything himself?")
    r"\b(?:entitled to|get|have|help|support) (?:anything|something|any help|any support)? ?"
    r"(?:for )?(?:himself|herself|themselves)\b|\bin (?:his|her|their) own right\b": (
        "carers right to an assessment of their own needs"
    ),
    # the weekly limit's opt-out, in the Regulations' words
    r"\bopt(?:s|ed|ing)?[- ]out (?:of )?(?:the |a )?(?:48|working time|weekly limit|maximum)": (
        "agree in writing to work more than 48 hours"
    ),
    r"\b(?:no|without a?|any) reasons?\b|\bdidn't (?:give|say) why\b": "written reasons",
    r"\bsa(?:y|ys|id) no\b|\bturn(?:s|ed)? (?:it |her |him |them )?down\b|\brejecte?d?s?\b|"
    r"\bwon't (?:agree|allow)\b": "refused",
    # the council's part once a person arranges their own support ("does the council still have
    # to do safeguarding if she employs her own PAs?"): its duties do not go away
    r"\b(?:council|local authority|social services|we|I)\b[^?.!]{0,30}\bstill\b[^?.!]{0,40}"
    r"\b(?:safeguard\w*|responsib\w*|dut(?:y|ies)|monitor\w*|review\w*|involved)\b": (
        "duty does not go away whoever arranges the care"
    ),
    # a risk taken that turns out badly ("what if it goes wrong?"): a defensible decision
    r"\b(?:if|when) (?:it|that|this|something) (?:goes|went) wrong\b|"
    r"\bsomething (?:bad )?happens\b|"
    r"\b(?:someone|she|he|they) (?:gets|get) hurt\b|\bwho(?:'s| is| would be) (?:to blame|"
    r"liable|blamed)\b|\bget (?:the )?blame\b": "defensible decision even if harm later happens",
    # a gap in care ("will she be left without care?")
    r"\b(?:left|be) without (?:any )?(?:care|support|help)\b|\bgap in (?:her|his|their) care\b|"
    r"\bwhat happens to (?:her|his|their) (?:care|support)\b": ("no gap in care during the change"),
    # steering someone's choice ("can my client suggest she opts out?"): encouraging it
    # ("can she tell her PA it's better not to join the pension?")
    r"\b(?:suggest|persuade|pressure|push|tell|advise|talk (?:her|him|them) into|ask (?:her|him|"
    r"them) to)\b[^.?!]{0,40}\b(?:opt(?:s|ing)? out|(?:better )?not (?:to )?join)\b": (
        "encourage opt out"
    ),
    # the orders the Regulations bar ("she's on a drug rehab order")
    r"\brehab\b|\bdetox\b|\bdrug (?:order|testing)\b|\bcommunity (?:order|sentence)\b": (
        "drug or alcohol treatment requirements criminal justice orders"
    ),
    # a payment for only some of the care ("can a DP cover just some of her care?")
    r"\b(?:just|only) (?:some|part|a bit) of (?:her|his|their|the|my client's)\b|"
    r"\bpart (?:of )?(?:her|his|their|the) (?:care|support|budget|needs)\b": "all or part",
    # what would make a council agree ("why might the council agree to pay her daughter?")
    r"\b(?:why|when) (?:might|would|could|will|does|do|can|should) (?:the |a )?councils? "
    r"(?:agree|accept|allow|say yes)\b": "examples councils consider necessary",
    # the person's own holiday, with a PA ("can her PA take her on holiday to Spain?"), not the
    # PA's paid leave
    r"\btak(?:e|es|ing) (?:her|him|them|my client|the person) on (?:a )?holiday\b|"
    r"\b(?:go|goes|going) on holiday with (?:her|him|them|my client)\b|"
    r"\bholiday (?:abroad|to [A-Z]\w+)\b|\btrip (?:abroad|away)\b": (
        "holiday or trip abroad support while away"
    ),
    # what getting there and staying costs ("what about her flights?" after a holiday abroad)
    r"\bflights?\b|\bplane (?:tickets?|fares?)\b|\bair ?fares?\b|\btrain (?:tickets?|fares?)\b|"
    r"\bhotels?\b": "travel accommodation",
    # carried in someone's car ("can her PA take her to the shops in his own car?"): driving
    r"\b(?:in|by) (?:his|her|their|the PA's|a PA's) (?:own )?car\b|"
    r"\bgive[sn]? (?:her|him|them|my client) (?:a )?lifts?\b": "drive driving",
    # an employer's tax ("does my client need to pay tax for her PA?"): PAYE
    r"\b(?:pay|paying|deduct|deducting|sort out|sorting out|do|doing|handle) (?:the |any |income )?"
    r"tax (?:for|on) (?:her|his|their|the|a|my client's) (?:PAs?|personal assistants?|carers?|"
    r"staff|workers?)\b": "PAYE income tax",
    # a fear that taking the money is for ever ("will she lose her council services for good?"):
    # a person can stop a direct payment at any time and the council arranges the support
    r"\blose (?:her|his|their|the) (?:council )?(?:services|support|care)\b|"
    r"\b(?:for good|for ever|forever)\b|\bgo(?:ing)? back to (?:the )?council\b|"
    r"\bswitch(?:ing)? back\b": "stop receiving a direct payment at any time",
    # an agreement taken back ("can she change her mind later?"): withdrawn
    r"\bchange[sd]? (?:her|his|their|your|my) minds?\b|\bchanging (?:her|his|their) minds?\b|"
    r"\bgo(?:es)? back on\b|\bback(?:s|ed)? out\b": "withdraw",
    r"\bexpire[sd]?\b|\bout of date\b|\bhow long does a DBS\b": "snapshot",
    r"\bmaximum\b|\bmax\b|\bupper limit\b": "cap capped limit at most",
    # a practitioner's workload, as the surveys put it
    r"\bworkloads?\b|\bcaseloads?\b|\btoo busy\b|\bpressures? on (?:social workers|staff)\b": (
        "bureaucracy lacked the time"
    ),
    # a PA off ill, in everyday words ("too ill to come in", "unwell", "phoned in sick")
    r"\btoo (?:ill|unwell|poorly|sick)\b|\bunwell\b|\bpoorly\b|\b(?:phoned|called|rang) "
    r"in sick\b|\b(?:has|had|got|with|caught) (?:the )?(?:flu|covid|norovirus|a virus|a bug|"
    r"a sickness bug|a chest infection)\b|\b(?:is|was|are|were|went|goes) (?:ill|sick)\b(?!-)": (
        "off sick Statutory Sick Pay"
    ),
    # who judges capacity ("who decides if she has capacity?"): who assesses it
    r"\bwho (?:decides|judges|works out|determines|says)\b[^?.!]{0,40}\bcapacity\b": (
        "assesses capacity assessed by practitioner"
    ),
    # who judges whether someone can manage a payment: the council, against four conditions
    r"\bwho (?:decides|judges|works out|determines|says)\b(?![^?.!]*\bcapacity\b)[^?.!]{0,40}"
    r"\b(?:manage|cope with|handle)\b": (
        "council must agree when four conditions are met able to manage"
    ),
    # someone unable to decide ("what do I have to show to say someone can't make a decision?"):
    # the test of sections 2 and 3
    r"\b(?:can't|cannot|can not|isn't able to|is not able to|unable to) (?:make|take) (?:a|the|"
    r"this|that|her|his|their) (?:own )?decisions?\b": "understand retain use or weigh communicate",
    r"\bsign(?:s|ed)? (?:(?:it|them|this|that|the plan) )?off\b|\bsign-off\b": "agree",
    # what a payment may not buy ("what can't a DP be used for?", "... not allowed to pay for?")
    r"\b(?:what|which|anything|things?)\b(?![^.?!,]*\bif\b)[^.?!,]{0,40}?"
    r"(?:\b(?:can'?t|cannot|can not)(?: [\w'-]+){0,4}?|"
    r"(?<!has )(?<!have )(?<!had )\bnot(?: be)?(?: allowed to)?) (?:be )?"
    r"(?:used|spent|pay|paid|buy|bought)\b": "cannot pay for",
    # money a person has not used ("can the council get back money she hasn't spent?")
    r"\b(?:hasn't|has not|haven't|have not|hadn't|not|never|didn't|did not) (?:been )?"
    r"(?:spen[dt]|use[ds]?)\b|\bpa(?:y|ys|id|ying) (?:it |the money |them )?back\b|"
    r"\bleft ?over\b|\bunused\b|\bbuilt up\b|\bbuilding up\b|\bsaved up\b|"
    r"\b(?:been )?saving (?:up )?(?:money|it)\b|\btake (?:it|the money|that|them) back\b|"
    r"\bclaw(?:s|ed|ing)? (?:it |the money )?back\b": ("unspent surplus repaid"),
    # "what has to be on it?" (a payslip, a contract): what it must show or include
    r"\bwhat (?:has|needs|goes|should go|must go|should be|must be|is) (?:to (?:be|go) )?on "
    r"(?:it|them|a|an|the|her|his|their)\b": "must show include",
    # "keep receipts for every little thing": what proportionate monitoring is about
    r"\breceipts?\b|\baccount for every\b|\bevery (?:little|small|single) (?:thing|item|"
    r"purchase|penny)\b": "proportionate monitoring",
    # "NI" beside pay is National Insurance, not Northern Ireland ("what employer NI does she pay?")
    r"\b(?:employers?'?s?|employees?'?s?|pa(?:y|ys|ying|id)|class 1|secondary|and|or) NI\b|"
    r"\bNI (?:contributions?|rates?|threshold|bill|costs?|on (?:her|his|their|the|a) wages)\b": (
        "National Insurance"
    ),
    r"£\s?\d+(?:\.\d+)? (?:an|per|a) hour\b|\bhourly rate\b": "minimum wage National Living Wage",
    # a PA hurt at work ("hurts her back lifting her"): what employer's liability insurance is for
    r"\b(?:PA|personal assistant|carer|employee)\b[^.?!]{0,30}\b(?:hurts? (?:her|his|their)|"
    r"hurt|injured|(?:had|has) an accident)\b|\binjured at work\b|\baccident at work\b": (
        "injured by their work employer's liability insurance"
    ),
    # paid in cash ("wants to be paid weekly in cash"): lawful, through PAYE
    r"\bpaid (?:\w+ )?(?:in|with) cash\b|\bpay (?:her|him|them|the PA|a PA|their PA) "
    r"(?:\w+ )?(?:in|with) cash\b|\bcash wages\b": "paying a PA in cash PAYE payslip",
    r"\bwhat (?:happens|will happen) to (?:her|his|their|the) (?:PAs?|personal assistants?|"
    r"staff)\b": "employment ends redundant notice",
    r"\bcover(?:s|ing)? (?:for )?(?:her|his|their|the|a|my client's) (?:shifts?|hours)\b|"
    r"\bcover(?:s|ing)? for (?:her|his|their|the|a) (?:PAs?|personal assistants?)\b|"
    r"\bwho covers\b|\bshifts? (?:get |are |is )?covered\b": "contingency plan relief cannot come",
    # a PA who does not come ("keeps cancelling shifts at the last minute", "didn't turn up")
    r"\bcancel(?:s|led|ling)? (?:her |his |their |the )?(?:shifts?|visits?|calls?)\b|"
    r"\b(?:doesn't|does not|didn't|did not|won't|never) (?:turn|show) up\b|\bno[- ]shows?\b|"
    # or cannot ("can't come in for a week"), and a person with one PA ("her only PA")
    r"\b(?:can't|cannot|can not|won't be able to|isn't able to) (?:come|make it|get in)\b|"
    r"\b(?:her|his|their|my client's|the) only (?:PA|personal assistant|carer)(?: \([^)]*\))? "
    r"(?:is|has|was|had|went|can't|cannot|won't)\b(?! (?:her|his|their|a|an|the|my)\b)": (
        "PA cannot come contingency plan"
    ),
    # what a practitioner notices that the sources list as warning signs of misuse
    r"\btimesheets?\b[^.?!]{0,30}\b(?:don't|do not|doesn't|does not|didn't|did not|never) "
    r"(?:match|add up|tally)\b|\b(?:care|visits?|hours|shifts?|support) (?:that |which )?"
    r"(?:wasn't|weren't|(?:was |were |has |have )?(?:not|never)) (?:been )?"
    r"(?:delivered|provided|given|done|worked)\b": (
        "warning signs misused timesheets care not delivered"
    ),
    # the council ending a payment "without warning": the notice it must give
    r"\bwithout (?:any )?(?:warning|notice)\b|\bhave to warn\b|\bwarn (?:her|him|them) (?:before|"
    r"first)\b": "reasonable notice",
    r"\b(?:a|written|verbal|final|first) warnings?\b|\bwarn (?:her|him|them) first\b": (
        "disciplinary fair process Acas"
    ),
    r"\bwhen did (?:[\w-]+ ){1,4}(?:start|begin|come in|come about|first)\b|"
    r"\bwhen were (?:[\w-]+ ){1,4}(?:introduced|brought in)\b": "first became law history",
    r"\boverrul(?:e|ed|ing)\b|\boverrid(?:e|ing)\b|\bgo against (?:her|his|their) wishes\b|"
    # "choices her son thinks are daft": what the Mental Capacity Act calls unwise
    r"\b(?:daft|silly|stupid|foolish|reckless|bad|poor|odd|strange|wrong) "
    r"(?:choices?|decisions?)\b|"
    r"\b(?:choices?|decisions?)\b[^.?!]{0,40}\b(?:daft|silly|stupid|foolish|reckless|unwise)\b": (
        "unwise decision capacity"
    ),
    r"\b(?:1[3-9]|20)[- ]years?[- ]olds?\b|\b\w+\)?(?:'s| is| are) (?:1[3-9]|20)\b(?! ?(?:hours?|"
    r"weeks?|days?|months?|%|per))|"
    r"\baged (?:1[3-9]|20)\b|\bunder[- ]?18s?\b|\bunder eighteen\b|\bteenagers?\b": (
        "age rate minimum wage under-18s"
    ),
    r"\b(?:she's|he's|she is|he is|they're|they are|aged) (?:2[1-9]|[3-5]\d|6[0-4])\b"
    r"(?! ?(?:hours?|weeks?|days?|months?|%|per|pounds?|minutes?))": "aged age",
    r"\btoo old\b|\bolder (?:people|adults|person)\b|\belderly\b|"
    r"\b(?:an? )?(?:upper |maximum )?age limit\b|\b(?:is|she's|he's|aged) "
    r"(?:6[5-9]|[7-9]\d|1[01]\d)\b": "aged 65 and over who can have one",
    # what practitioners say about a person, for what the sources call it
    r"\bhusband\b|\bwife\b": "spouse close relative",
    r"\bmum\b|\bdad\b|\bmother\b|\bfather\b": "parent close relative",
    r"\bgrand(?:daughter|son|kids?)\b": "grandchild close relative",
    r"\bnephew\b|\bniece\b|\bcousin\b|\bsiblings?\b": "close relative",
    # a relative as the PA ("can my client's sister be her PA?"): paying a family member
    r"\b(?:sisters?|brothers?|sons?|daughters?|husband|wife|partner|mum|dad|mother|father|"
    r"parents?|aunt(?:ie)?|uncle|nephew|niece|cousin|grand\w+|relatives?|family members?|"
    r"in-laws?)\b[^.?!]{0,30}\b(?:be|become|work as|act as|as) (?:her|his|their|my client'?s?|"
    r"a) (?:PA|personal assistant|paid carer)\b(?!'s)": ("paying a relative same household"),
    # paying a relative for the direct payment's own paperwork: what the Regulations allow
    r"\bpa(?:y|ys|ying|id)\b[^.?!]{0,30}\b(?:sisters?|brothers?|sons?|daughters?|husband|wife|"
    r"partner|mum|dad|mother|father|parents?|aunt(?:ie)?|uncle|relatives?|family members?)\b"
    r"[^.?!]{0,45}\b(?:paperwork|admin(?:istration)?|manag(?:e|ing) (?:the|her|his|their) "
    r"(?:DP|direct payment|money|account))\b": (
        "relative provides administrative or management support"
    ),
    r"\bpass(?:es|ed|ing)? away\b|\bdeceased\b|\bdied\b": "dies death",
    r"\bdementia\b|\balzheimer'?s\b|\bbrain injury\b|\bconfused\b": "capacity",
    # managing a payment with help ("she struggles with the paperwork", "can't cope with the
    # admin"): the help the sources describe
    r"\bpaperwork\b|\badmin(?:istration)?\b|\b(?:struggl\w*|can'?t cope|cannot cope|"
    r"not cop\w*) with (?:the |all the |her |his |their )?(?:forms|money|finances|DP|direct "
    r"payment|budget)\b": "ability to manage help support service managed account",
    r"\btake over (?:her|his|their) (?:DP|direct payment|money|finances)\b|"
    r"\bmanage (?:her|his|their) (?:DP|direct payment|money)\b": "authorised person",
    r"\bfeel(?:s)? (?:ready|able|equipped|prepared)\b|\bfelt (?:ready|able|equipped|prepared)\b": (
        "confident knowledge skills survey"
    ),
    r"\b(?:random|irregular|variable|changing|different) hours\b|\bzero[- ]hours?\b": (
        "irregular hours"
    ),
    r"\b(?:family|relatives?|parents?|daughter|son) (?:are|is) (?:worried|concerned|against|"
    r"unhappy)\b|\bdangerous\b|\brisky\b|\bunsafe\b": "risk positive risk-taking",
}
_PHRASES = [(re.compile(pattern, re.I), extra) for pattern, extra in PHRASES.items()]
_PATTERN = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(s?)\b")
_FILLER = re.compile(
    r"^\s*(?:hey|hiya|hi|hello|morning|afternoon|hi all|hi team|quick one|quick q(?:uestion)?|"
    r"sorry|please|q|(?:all|everyone|team)(?=\s*[,!.:;-]))\b[\s,:;!.-]*",
    re.IGNORECASE,
)


# contractions typed without an apostrophe: "doesnt" is "doesn't", never a misspelling of "does"
_BARE_CONTRACTION = re.compile(
    r"\b(do|does|did|is|are|was|were|has|have|had|should|could|would|ca|wo)nt\b|"
    r"\b(what|that|there|she|he|it)s\b(?= (?:a|an|the|my|her|his|their|it|this|that|not|"
    r"going|been|allowed|entitled|happening|right|ok|okay|true|best|difference|legal)\b)",
    re.I,
)


def _apostrophe(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{match.group(1)}n't"
    return f"{match.group(2)}'s"


def expand_query(question: str, *, phrases: bool = True) -> str:
    """'can my client pay her son to be her PA??' -> '... her PA (personal assistant)??'.
    With `phrases`, what a practitioner's phrase also searches is added ("what happens to her
    PAs?": redundancy): a retrieval hint, which blurs the difference between two questions
    when they are compared with each other (verified answers, gap clusters)."""
    question = _BARE_CONTRACTION.sub(_apostrophe, question)

    def expand(match: re.Match[str]) -> str:
        word, plural = match.group(1), match.group(2)
        return f"{word}{plural} ({ABBREVIATIONS[word]}{plural})"

    text = question
    while True:
        stripped = _FILLER.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = _PATTERN.sub(expand, text).strip() or question
    if not phrases:
        return text
    extras = phrase_hints(text)
    return f"{text} ({'; '.join(extras)})" if extras else text


def phrase_spans(text: str) -> list[tuple[int, int]]:
    """Where the text says something in words the sources put otherwise (a PHRASES phrase, or
    where a relative lives): the words inside are not things the knowledge base never saw."""
    return list(_phrase_spans(text))


@functools.lru_cache(maxsize=8192)
def _phrase_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for pattern in _SPANNING for m in pattern.finditer(text))


def phrase_hints(text: str) -> list[str]:
    """What a practitioner's phrases in the text also search (see PHRASES), not yet in it."""
    return list(_phrase_hints(text))


@functools.lru_cache(maxsize=8192)
def _phrase_hints(text: str) -> tuple[str, ...]:
    """phrase_hints, remembered: a message, and each of its words, is looked up several times
    as it is answered (the query, the turn's topics, the words the index never saw)."""
    return tuple(extra for pattern, extra in _PHRASES if pattern.search(text) and extra not in text)


def phrase_matches(text: str) -> list[tuple[str, str]]:
    """Each practitioner's phrase in the text, as said, with what it also searches."""
    return list(_phrase_matches(text))


@functools.lru_cache(maxsize=8192)
def _phrase_matches(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (m.group(0), extra)
        for pattern, extra in _PHRASES
        if (m := pattern.search(text)) and extra not in text
    )


# a question for what someone said ("what did Sarah Carr say?", "according to TLAP ...")
SAID_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|but|then|ok|okay)[,]? )?what(?: \w+)? (?:did|has|have) .{1,60}? "
    r"(?:say|argue|recommend|warn|conclude|think|admit|acknowledge|concede|"
    r"call for|suggest|propose|find|report)\b|\baccording to\b",
    re.I,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


@functools.lru_cache(maxsize=4)
def _by_initial(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The index's words grouped by first letter, built once per vocabulary."""
    groups: dict[str, list[str]] = {}
    for word in vocabulary:
        groups.setdefault(word[:1], []).append(word)
    return {initial: tuple(words) for initial, words in groups.items()}


SPELLING_CUTOFF = 0.85  # 0.8 turned 'calories' into 'carries' and 'signpost' into "signpost's"
_CLITIC = re.compile(r"(?:'s|'re|'ve|'ll|'d|n't|')$")


def correct_spelling(
    text: str,
    vocabulary: frozenset[str],
    dictionary: frozenset[str],
    known: Callable[[str], bool] | None = None,
) -> str:
    """Replace a word that is neither in the index nor a known English word with the closest
    word of the index (difflib ratio >= 0.85), so 'paymnets reveiwed' finds 'payments
    reviewed' while 'train' is never turned into 'trainer'. A word whose stem the index knows
    ('earns', 'pensioner') is another form of a known word, not a misspelling (`known`)."""
    if not vocabulary:
        return text

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower().replace("’", "'")
        base = _CLITIC.sub("", lower)  # "what's", "client's", "doesn't": the word before it
        found = (w in vocabulary or w in dictionary for w in (lower, base))
        if len(base) < 4 or any(found) or (known is not None and known(base)):
            return word
        near = [
            w for w in _by_initial(vocabulary).get(lower[:1], ()) if abs(len(w) - len(lower)) <= 2
        ]
        close = difflib.get_close_matches(lower, near, 1, SPELLING_CUTOFF)
        return close[0] if close else word

    return _WORD.sub(fix, text)


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Overlap of two word sets (0 when either is empty): near-duplicate detection."""
    return len(a & b) / len(a | b) if a and b else 0.0


# Conditions a rule may hang on, as (the question says it, the sentence says the opposite).
_LIVES_WITH = re.compile(
    r"\b(?:lives? with|living with|lives? in the same (?:house|household|home)|"
    r"same (?:house|household)|(?:she|he|they) lives? with|at home with (?:her|him|them))\b",
    re.I,
)
_LIVES_APART = re.compile(
    r"\b(?:does not live|doesn't live|do not live|don't live|not living|lives? (?:next door|"
    r"elsewhere|nearby|(?:in )?(?:her|his|their) own (?:home|house|flat)|(?:a)?round the corner|"
    r"(?:down|up|across) the road|close by|(?:a few|two|three) (?:streets|doors|minutes) away|"
    r"in the (?:same|next) (?:street|road|village))|living (?:elsewhere|"
    r"in (?:her|his|their) own)|another town|moved out)\b",
    re.I,
)


# The person lacks capacity, or has it (again): a rule for adults with capacity (section 31,
# "if capacity returns") does not answer a question about one who lacks it, nor the reverse.
_LACKS_CAPACITY = re.compile(
    r"\b(?:lacks?|lacking|without|no longer has|has no|loses?|lost) (?:the )?(?:mental )?"
    r"capacity\b",
    re.I,
)
_HAS_CAPACITY = re.compile(
    r"\b(?:regains?|regained|has|have|with) (?:the )?(?:mental )?"
    r"capacity\b|\bcapacity (?:returns|comes back)\b",
    re.I,
)
# Who ends a direct payment: the person ("she wants to give it up", "a person can ask to
# stop"), or the council ("the council says it will stop it"): a rule for the one does not
# answer a question about the other.
_PERSON_ENDS = re.compile(
    r"\b(?:wants?|wanted|asks?|asked|decides?|decided|chooses?|chose) to (?:stop|end|give up|"
    r"hand back|cancel)\b|\bgiv(?:e|es|ing) up (?:her|his|their|the|a) (?:direct payment|DP)\b",
    re.I,
)
_COUNCIL_ENDS = re.compile(
    r"\b(?:council|local authority)\b[^.?!;]{0,40}?\b(?:stop|stops|stopping|end|ends|ending|"
    r"withdraw|withdraws|withdrawing|takes? (?:[\w'-]+ ){0,3}?away|cancel|cancels)\b",
    re.I,
)
# (the one case, the other): a sentence stating the other case's rule contradicts a question
# that describes the one, and the reverse
CONDITIONS = [
    (_LIVES_WITH, _LIVES_APART),
    (_LACKS_CAPACITY, _HAS_CAPACITY),
    (_PERSON_ENDS, _COUNCIL_ENDS),
]
# every pattern whose words phrase_spans exempts, listed once rather than on each call
_SPANNING = [pattern for pattern, _ in _PHRASES] + [p for pair in CONDITIONS for p in pair]


def _case(pair: tuple[re.Pattern[str], re.Pattern[str]], text: str) -> int:
    """1: the text describes the first case, 2: the second, 0: neither (or both)."""
    first, second = (bool(p.search(text)) for p in pair)
    if pair[0] is _LIVES_WITH:  # "does not live with her" is not living with her
        first = first and not second
    return 0 if first == second else (1 if first else 2)


# a rule about paying a relative (or friend) answers only a question about paying a person:
# "can my client use her DP to pay her rent?" names no one to be paid
_PAYS_A_PERSON = re.compile(
    r"\b(?:pay|paying|paid)\s+(?:a|that|the)\s+(?:close\s+)?(?:relative|friend|family member)", re.I
)
# the relations a question may name
_RELATIONS = (
    r"relatives?|famil(?:y|ies)|daughters?|sons?|husband|wife|partner|spouse|mother|mum|father|"
    r"dad|parents?|sister|brother|grand\w+|niece|nephew|aunt|uncle|cousin|in-laws?"
)
_NAMES_PAYEE = re.compile(
    rf"\b(?:{_RELATIONS}|friends?|neighbours?|carers?|PAs?|personal assistants?|someone|anyone|"
    r"people|person|who|whom|\[name\])\b",
    re.I,
)
# a rule about friends and neighbours does not answer a question about a relative
_ABOUT_FRIENDS = re.compile(r"^(?:Friends|A friend|Neighbours|A neighbour)\b")
_NAMES_RELATIVE = re.compile(rf"\b(?:{_RELATIONS})\b", re.I)
_NAMES_FRIEND = re.compile(r"\b(?:friends?|neighbours?)\b", re.I)
# a rule about a self-employed PA does not answer a question about employing one ("what
# employer national insurance will my client pay on her PA's wages?")
_ABOUT_SELF_EMPLOYED = re.compile(r"^(?:A|The) (?:genuinely )?self-employed\b")
# ...nor does any sentence of a section about self-employed PAs or agencies ("The person buying
# the service avoids payroll, but ..." under "Self-employed PAs")
_SELF_EMPLOYED_SECTION = re.compile(r"\bself-employed\b|\bagenc(?:y|ies)\b", re.I)
_AS_EMPLOYER = re.compile(
    r"\b(?:employer'?s?|wages?|payslips?|PAYE|payroll|tax|National Insurance|insurance|car|"
    r"drives?|driving|motor)\b",
    re.I,
)
_NAMES_STATUS = re.compile(
    r"\bself-employed\b|\bemployment status\b|\bagenc(?:y|ies)\b|\bown tax\b|"
    r"\bcash in hand\b|\binvoices?\b|\bsole trader\b|\bfreelance\b|\bcontractor\b",
    re.I,
)


def contradiction_test(question: str) -> Callable[[str, str | None], bool]:
    """`contradicts` for one question, checked against many sentences: the question's cases
    are read once, and a question that describes none contradicts nothing."""
    asked = [(pair, case) for pair in CONDITIONS if (case := _case(pair, question))]
    no_payee = not _NAMES_PAYEE.search(question)
    relative = bool(_NAMES_RELATIVE.search(question)) and not _NAMES_FRIEND.search(question)
    employing = bool(_AS_EMPLOYER.search(question)) and not _NAMES_STATUS.search(question)

    def clash(sentence: str, section: str | None = None) -> bool:
        if employing and (
            _ABOUT_SELF_EMPLOYED.search(sentence)
            or (section is not None and _SELF_EMPLOYED_SECTION.search(section))
        ):
            return True
        if (relative or no_payee) and _ABOUT_FRIENDS.search(sentence):
            return True
        if no_payee and _PAYS_A_PERSON.search(sentence) and sentence.count("; ") < 2:
            return True  # (a list naming it among other things is not that rule)
        return any((said := _case(pair, sentence)) and said != case for pair, case in asked)

    return clash


# a sentence that exempts someone from a rule ("The law does not require this insurance for
# employees who are close family members (for example ... brother or sister)")
_EXEMPTS = re.compile(
    r"\b(?:does not|do not|doesn't|don't|need not|is not|are not) (?:require|need|apply|have to)|"
    r"\bnot required\b|\bexempt(?:ion|s|ed)?\b|\bexcept\b|\bunless\b",
    re.I,
)


def exemption_test(question: str) -> Callable[[str], bool]:
    """For a question naming a relation ("... if the only PA is her sister?"): does a sentence
    exempt that very relation from the rule? It is the answer, not the rule it qualifies."""
    named = {m.group(0).lower().rstrip("s") for m in _NAMES_RELATIVE.finditer(question)}
    if not named:
        return lambda sentence: False

    def exempts(sentence: str) -> bool:
        if not _EXEMPTS.search(sentence):
            return False
        said = {m.group(0).lower().rstrip("s") for m in _NAMES_RELATIVE.finditer(sentence)}
        return bool(named & said)

    return exempts


def other_cases(question: str, sentence: str) -> list[Callable[[str], bool]]:
    """For each condition the sentence's rule hangs on and the question leaves open ("can my
    client pay her husband?": living with her or not), a test for a sentence stating the rule
    for the other case: a yes/no answer gives both."""

    def stating(pair: tuple[re.Pattern[str], re.Pattern[str]], other: int) -> Callable[[str], bool]:
        return lambda text: _case(pair, text) == other

    return [
        stating(pair, 3 - said)
        for pair in CONDITIONS
        if (said := _case(pair, sentence)) and not _case(pair, question)
    ]


def contradicts(question: str, sentence: str) -> bool:
    """The sentence states a rule for the opposite case to the one the question describes:
    a relative who lives with the person, or one who lives elsewhere; a person who lacks
    capacity, or one who has it; paying a relative or friend, when the question names no one
    to be paid ("can she use her DP to pay her rent?"); friends and neighbours, when the
    question is about a relative."""
    return contradiction_test(question)(sentence, None)


def condition_terms(question: str) -> str:
    """Words to add to the retrieval query so the rule for the case the question describes is
    found (a relative living with the person, or elsewhere), not only the other case's."""
    if _LIVES_APART.search(question):
        return "relative who does not live in the same household"
    if _LIVES_WITH.search(question):
        return "close relative who lives in the same household general rule"
    return ""


# Names a question may hang on: a case ("R(B) v Cornwall"), an Act ("Carers Act 1995"), an
# acronym ("ILF"), a capitalised word inside the sentence ("Wirral", "Cartwright").
_CASE_NAME = re.compile(
    r"\b(?:R\s*\([A-Z]{1,3}\)|[A-Z][\w'-]+)\s+v\.?\s+(?:[A-Z][\w'-]+)(?:\s+(?:CC|MBC|LBC|BC))?"
)
_ACT_NAME = re.compile(
    r"\b[A-Z][\w'()-]*(?:\s+(?:(?:and|of|for|the|in|on)\s+)?[A-Z][\w'()-]*){0,6}\s+Act\s+\d{4}\b"
)
_ACRONYM = re.compile(r"\b[A-Z]{3,6}s?\b")
_INNER_CAPITAL = re.compile(r"(?<=[a-z0-9,;:'’]\s)[A-Z][a-z'’-]{3,}\b")
# a title of several capitalised words, small words between them allowed ("Making it Real",
# "Putting People First"): one name, found whole
_TITLE = re.compile(
    r"(?<=[a-z0-9,;:'’]\s)[A-Z][a-z'’-]+(?:\s+(?:(?:it|of|and|the|for|a|to|in|on)\s+)?"
    r"[A-Z][a-z'’-]+)+\b"
)


# the assistant's own name: "can I get a council house through Signpost?" is not about it
OWN_NAMES = frozenset({"Signpost", "Signpost's"})


def names_in(question: str) -> list[str]:
    """The exact names in a question (cases, Acts, acronyms, proper nouns): matched word for
    word in a passage, they are strong evidence whatever the cosine similarity says."""
    found: list[str] = []
    for pattern in (_CASE_NAME, _ACT_NAME, _ACRONYM, _TITLE, _INNER_CAPITAL):
        for match in pattern.finditer(question):
            name = " ".join(match.group(0).split())
            if name not in OWN_NAMES and not any(name in other for other in found):
                found.append(name)
    return found


def mentions(text: str, name: str) -> bool:
    """`name` appears in `text` word for word (case and spacing aside)."""
    pattern = r"\s+".join(re.escape(part) for part in name.split())
    return re.search(rf"(?<![\w]){pattern}(?![\w])", text, re.I) is not None
