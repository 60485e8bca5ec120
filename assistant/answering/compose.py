"""Where the answer is composed (extractive, the default): the sentences of the retrieved
passages that best answer the question, each marked [n] with n resolving to a citation, or an
honest abstention when the evidence is weak."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.query import (
    SAID_QUESTION,
    contradiction_test,
    exemption_test,
    expand_query,
    jaccard,
    mentions,
    names_in,
    other_cases,
    phrase_hints,
    phrase_matches,
)
from assistant.answering.retrieval import Passage
from assistant.safety.notices import kind_label, nations_named, source_kind
from assistant.schemas import Citation
from ingest.documents import DocumentRecord
from ingest.sentence_vectors import SentenceVectors
from ingest.sentences import in_context, split_sentences

MAX_WORDS = 120
MAX_SENTENCES = 4
NEGATION_BONUS = 0.2  # the first value tried; a sentence saying "cannot" for "what can't"
INTRODUCED_BONUS = 0.3  # as the kind bonuses
# a table embeds poorly (its passage comes out less similar than its sentences deserve): one
# with a row for what the question names is lifted by the size of that gap (not tuned)
ROW_BONUS = 0.1
LONG_LIST_WORDS = 60  # a list this long, read for one item, is cut to it
# what an elliptical follow-up asks when it says nothing of its own: a date, a figure, a span,
# a definition (a yes/no or a list frame belongs to the earlier question's own subject)
BORROWED_KINDS = frozenset({"when", "numeric", "duration", "define"})
UNITS_CACHED = 4096  # passages whose cut sentences are kept (the bundled index has about 180)
SNIPPET_CHARS = 320

ABSTAIN_MESSAGE = (
    "The Signpost knowledge base doesn't cover this closely enough for me to answer without "
    "guessing. I've logged it as a knowledge gap so trainers can add material. Try rephrasing, "
    "or ask about direct payments, personal budgets, employing personal assistants, risk or "
    "safeguarding."
)
OUT_OF_SCOPE_MESSAGE = (
    "That looks outside what Signpost covers, so it has not been logged as a knowledge gap. "
    "Signpost answers questions on adult social care practice: direct payments, personal "
    "budgets, employing personal assistants, risk and safeguarding."
)
NO_DOCUMENTS_MESSAGE = (
    "The knowledge base is empty, so there is nothing to answer from yet. Run `signpost sync` "
    "to index the knowledge folder (`signpost serve` does it at start), or ask a trainer to "
    "upload documents."
)

_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|per ?cent)|£\s?\d|\b\d{2,}\b|\b\d+\s+(?:in|out of)\s+\d+"
)
# where something is written ("chapter 10", "section 25", "regulation 12"): not a figure
_REFERENCE = re.compile(
    r"\b(?:chapters?|sections?|regulations?|paragraphs?|paras?|schedules?|articles?|annex|"
    r"parts?)\s+\d+[A-Z]?(?:\.\d+)*(?:\s*(?:and|or|to)\s*\d+[A-Z]?(?:\.\d+)*)?",
    re.I,
)
# a count in words ("at least two references"): what "how many" asks as much as a figure
_COUNTED = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\s+"
    r"(?![\w-]+ (?:ago|later)\b)[a-z]",
    re.I,
)
_CONTEXT = re.compile(
    r"\b(?:19|20)\d{2}\b|\bsurvey|\bpoll\b|\bstudy\b|\bresearch\b|\brespondents?\b", re.I
)
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’)\]]*$")
_CHUNK_ENDS = re.compile(r"[.!?:;)\]\"”’|]$")  # a line that ends a sentence, list item or table
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_STARTS_SENTENCE = re.compile(r"[\"“‘(\[]?[A-Z0-9£#*-]")
# A sentence that leans on the one before it: only ever shown right after it.
_POINTER = re.compile(
    r"^(?:That|This|These|Those|It|They|Their|Its|She|He|Her|His|However|But|For example|"
    r"For instance|Also|Others|"
    # "There, ..." points; "There is no upper age limit" does not
    r"So|Such|Here|There(?! (?:is|are|was|were|will|may|can|must|has|have)\b)|The exception|"
    r"The same|In (?:each|both|either|that|this|such) cases?|"
    r"Otherwise|Instead|Then|After that|As a result|Even so|Likewise|Similarly|Both|Either)\b"
)
_WHEN_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|but|then|ok|okay)[,]? )?(?:when|what year|since when|how long ago)\b", re.I
)
_DATE_LIKE = re.compile(r"\b(?:1[89]|20)\d{2}\b")
# a year that is part of a law's name ("the Care Act 2014", "Regulations 2014") dates the
# law, not the thing a "when" question asks about
_NAMED_YEAR = re.compile(
    r"\b(?:Act|Regulations|Order|Rules|Bill)\s+(?:\([\w ]+\)\s+)?(?:1[89]|20)\d{2}\b|"
    r"\b(?:1[89]|20)\d{2}\s+(?:Act|Regulations|Order|Rules|Bill)\b"  # "the 2014 Regulations"
)
_DEFINE_QUESTION = re.compile(
    r"^\s*(?:what(?:'s| is| are)\s+(?:an?\s+|the\s+)?[\w' -]{2,40}\??\s*$|what does .+ mean)",
    re.I,
)
_LIST_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:are|were)\b|\b(?:list|principles|steps|types|signs|options|"
    r"conditions|include|examples)\b|\bcounts? as\b|"
    r"\bwhat (?:should|must|do|does) (?:I|we|they|you|she|he|it) (?:check|look (?:at|for)|ask)\b",
    re.I,
)
# "how long" and "how often" are answered by a stretch of time ("six to eight weeks", "every
# three years", "yearly"), not by any figure
_DURATION_QUESTION = re.compile(
    r"\bhow (?:long|often|soon|quickly)\b|\bhow many (?:days|weeks|months|years)\b", re.I
)
_TITLE_YEAR = re.compile(r"\((?:19|20)\d{2}\)")  # a source of one year: "Survey ... (2013)"
_DECADE = re.compile(r"\b(?:1[89]|20)\d0s\b")  # "in the mid-1980s"
# a moment fixed by an event: "before the first payday", "before employment starts"
_RELATIVE_TIME = re.compile(
    r"\b(?:before|by|from|until|on or before|no later than) (?:the |their |her |his |each )?"
    r"(?:first |next )?(?:day|payday|pay day|shift|week|month)\b|"
    r"\bbefore (?:the )?(?:employment|job|work) (?:starts|begins)\b",
    re.I,
)
_EMPTY_VERBS = frozenset({"get", "got"})
_SPENDING = "buy buying bought pay paying paid use using used spend spending spent purchase fund"
# "can someone do it for her?" asks who, it names no one ("Someone who employs a PA ...")
_ANYONE = frozenset({"someon", "somebodi", "anyon", "anybodi"})
# a question for a name: "called" is how it asks, not a word the answer holds
_NAMING_QUESTION = re.compile(r"\bwhat (?:is|was|are|were) .{1,60}? called\b", re.I)
_HOW_ADVERB = re.compile(r"\bhow (long|often|soon|quickly)\b", re.I)
_DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|several)"
    r"(?:\s+(?:to|or)\s+\w+)?\s+(?:(?:consecutive|complete|full|whole|clear|working|calendar)\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)\b|"
    r"\b(?:daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b|"
    r"\b(?:each|every) (?:review|visit|assessment|time|day|week|fortnight|month|quarter|year)\b",
    re.I,
)
# where a unit's points were joined: a bullet begins with a capital, prose after ";" does not
_JOINED = re.compile(r"; [A-Z][a-z]")
_THESE = re.compile(r"\s+(?:these|the following)$")
_IN_ENGLAND = re.compile(r"\b(?:in|for|across) England\b")
# a sentence that lists in running text: "include" or "such as" and then items
_INLINE_LIST = re.compile(r"\b(?:includes?|including|such as)\b[^.;:]*,[^.;:]*,[^.;:]*\band\b")
_YESNO_QUESTION = re.compile(
    r"^\s*(?:can|could|is|are|does|do|should|must|may|will|would|has|have|am)\b|"
    # after what the case is: "my client's PA is asking for a contract, does she have to give
    # one?"
    r"[,;-] (?:so |and |but )?(?:does|do|is|must|should) (?:she|he|they|I|we|my client|the PA) "
    r"(?:have to|need to|(?:still )?have the right|allowed to|(?:be )?entitled)\b",
    re.I,
)
_DEFINES = re.compile(
    r"\b(?:is|are|means|refers to|describes?)\b (?:an?|the|when|where|any|someone|a way|\w+ing)\b",
    re.I,
)
# a rule ("must", "may", "cannot", "should", "only"...); a bare "can" is not one ("spending
# can be seen online" describes, it does not rule: tuning lead accuracy 0.811 -> 0.828)
_RULE = re.compile(
    r"\b(?:may|must|cannot|can't|should|entitled|allowed|has to|have to|need(?:s)? to|"
    r"only|unless|no longer|not|no one|nobody|never|requires?|required|duty)\b",
    re.I,
)
_DEFINITION = re.compile(
    r"^(?:An?|The)\s+([\w()' -]{2,50}?)\s+(?:is|are|means)\s+(?:an?|the|someone|\w+ing)\b"
)
# a definition that opens with the bare term: "Self-directed support is ...", "Positive
# risk-taking (also called risk enablement) means ..."
_TERM_FIRST = re.compile(r"^([A-Z][\w'-]*(?: [\w'-]+){0,5}?)\s+(?:\([^)]*\)\s+)?(?:is|are|means)\b")
# what a "what is ..." question asks to have defined: "an authorised person" in "What is an
# authorised person for direct payments?"
_DEFINED_IN_QUESTION = re.compile(
    r"^\s*what(?:'s| is| are| does)\s+(?:an?\s+|the\s+)?(.+?)"
    r"(?:\s+(?:for|in|under|when|with|mean)\b.*)?\s*\??\s*$",
    re.I,
)
# a sentence that qualifies the one before it: kept beside the rule it qualifies
# the lead's exception or complement ("Others can ask to join" after who must be enrolled)
_QUALIFIER = re.compile(r"^(?:The exception|Unless|However|But|Except|Even so|If|Others)\b")
_NUMERIC_QUESTION = re.compile(
    r"\bhow (?:many|much|often|long|far)\b|\bwhat (?:percentage|proportion|share|number|fraction)"
    r"|\bper ?cent|%|\bfigures?\b|\bstatistics?\b|\bhow (?:likely|common)\b",
    re.I,
)
_ASKS_FOR_LIST = re.compile(r"^\s*(?:can|could|would|will) you (?:please )?list\b", re.I)
_ASKS_POLITELY = re.compile(
    r"^\s*(?:can|could|would) (?:you|someone|signpost) (?:tell|let) me\b|^\s*do you know\b|"
    r"^\s*(?:can|could|may) I (?:ask|check)\b",
    re.I,
)
# "what share of social workers ...?" is answered by a share ("49%", "two-thirds"), not by
# any figure ("£520m")
_SHARE_QUESTION = re.compile(
    r"\bwhat (?:percentage|proportion|share|fraction)\b|\bper ?cent\b|%|"
    r"\bhow many (?:of )?(?:people|social workers|practitioners|respondents|staff|councils)\b",
    re.I,
)
_SHARE = re.compile(
    r"\d\s*(?:%|per ?cent)|\b(?:half|two-thirds|a third|one in \w+|a quarter|majority)\b",
    re.I,
)
_COMPARE_QUESTION = re.compile(
    r"\bdifference between\b|\bcompared? (?:to|with)\b|\bversus\b|\bvs\b", re.I
)
# "what can't a direct payment be used for?", "what is a DP not allowed to pay for?"
_NEGATED_QUESTION = re.compile(
    r"\b(?:can'?t|cannot|can not|could(?:n'?t| not)|won'?t|mustn'?t|isn'?t allowed|"
    r"not (?:be )?(?:allowed|able|permitted|used|spent|paid|pay|cover|buy))\b",
    re.I,
)
# "what replaced Putting People First?", "who took over after it?", "what came next?"
_SUCCESSOR_QUESTION = re.compile(
    # not "what did the Care Act replace?", which asks what came before
    r"\b(?:replaced|succeeded|came (?:after|next)|took over|takes over|followed)\b|"
    r"\b(?:will|would|to) replace\b",
    re.I,
)
_SUCCEEDS = re.compile(r"\b(?:followed|replaced|succeeded|took over|successor)\b", re.I)
# "who is Sarah Carr?", "who was Jeff Jerome?": a person named with capitals
_WHO_IS_QUESTION = re.compile(
    r"^\s*who(?:'s| is| was| were| are)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,3})\s*\??\s*$"
)
_NEGATION = re.compile(r"\b(?:cannot|can't|can not|not|never|no|excluded|barred)\b", re.I)
# the two things a comparison names: "the difference between a managed account and an ISF"
_COMPARED = re.compile(r"\bdifference between (.+?) and (.+?)(?:[?.!]|$)", re.I)
# "what is the National Living Wage?" asks for an amount, not a definition
_AMOUNT_QUESTION = re.compile(
    r"^\s*what(?:'s| is| are| was| were)\s+(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:wages?|rates?|"
    r"costs?|prices?|fees?|charges?|allowance|limit|threshold|contributions?|amount|salary|"
    r"fines?|penalt(?:y|ies))\b",
    re.I,
)
# curriculum material answers questions about training practitioners, not about practice
_TEACHING = re.compile(
    r"\b(?:train(?:ing|ed|er|ers)?|teach(?:ing)?|taught|learn(?:ing)?|sessions?|courses?|"
    r"curriculum|lesson|workshop|induction for (?:staff|social workers)|our team|outcomes)\b",
    re.I,
)
# a table cell as the loaders write it ("who holds the money: the person")
_CELL = re.compile(r"^[^:;]{1,40}: \S")
# a numbered part of a document as one token ("session4", "section42": ingest's as_tokenised),
# and a heading that opens with one ("Session 4 - Community knowledge and risk")
_NUMBERED = re.compile(r"^[a-z]+\d+[a-z]?$")
_NUMBERED_HEADING = re.compile(r"^\s*([A-Za-z]+?)s?\s+(\d+[A-Za-z]?)\b")
_SESSION = re.compile(r"\b(?:sessions?|courses?|curriculum|lessons?|workshops?|modules?)\b", re.I)
# "what did TLAP say?" is answered by what they said, not by what they are
# "who argued against brokers?": the sentence that reports someone saying it, whoever it is
_WHO_SAID_QUESTION = re.compile(
    r"^\s*who (?:argued|said|says|warned|called for|recommended|criticised|questioned|"
    r"claimed|suggested|stressed|acknowledged|comment(?:ed|s)|responded|spoke|wrote)\b",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:said|says|called|argued|stressed|warned|acknowledged|recommended|concluded|put it|"
    r"commented|wrote)\b"
)
# "what did the 2013 survey find?" is answered by its figures
_FINDINGS_QUESTION = re.compile(
    r"\b(?:surveys?|polls?|study|research)\b.*\b(?:find|found|show|showed|reveal|revealed|say)\b|"
    r"\b(?:find|found|show|showed|reveal|revealed|say|said)\b.*\b(?:the|a|that|this) (?:\d{4} )?"
    r"(?:surveys?|polls?)\b|"
    r"\b(?:findings|results) of\b",
    re.I,
)


@dataclass
class Sentence:
    text: str
    passage: int  # index into the passages list
    position: int  # order within its passage
    prior: float = 0.0  # how much the passage itself is trusted
    terms: set[str] = field(default_factory=set)  # with a list's, those of its introduction
    section_terms: set[str] = field(default_factory=set)  # document title and heading path
    is_list: bool = False
    heading: str | None = None  # the section heading (or the title) it sits under
    section: str | None = None  # the section heading alone (None: the document's opening)
    score: float = 0.0
    overlap: float = 0.0  # share of the question's words the sentence contains
    similarity: float | None = None  # cosine with the question; None without sentence vectors
    relevance: float = 0.0  # how much it bears on the question (meaning and words)
    contradicts: bool = False  # states the rule for the opposite case to the question's
    defines: bool | None = None  # defines the term a "what is" question asks (None: no definition)
    own_terms: set[str] = field(default_factory=set)  # its own words alone (terms: see above)


@dataclass
class Composition:
    answer: str
    answered: bool
    confidence: float
    citations: list[Citation]
    notices: list[str] = field(default_factory=list)
    #: the chunk behind each citation, in citation order (feedback is attributed to them)
    cited_chunk_ids: list[str] = field(default_factory=list)
    #: the largest share of the question's words (weighted by rarity) one sentence holds
    coverage: float = 0.0


PRIOR_SLOPE = 0.5
HINTED_BONUS = 0.15
FINDING_SHARE_BONUS = 0.15
CONVERSATION_RELIEF = 0.07  # the same as LEXICAL_RELIEF, not tuned
CONTINUING_BONUS = 0.2
LEXICAL_RELIEF = 0.07  # how far below min_similarity strong word overlap may carry an answer
# every word the message asks, in one sentence: evidence this far below min_similarity (a short
# question embeds poorly: "what did the editorial conclude?" is 0.23 from the sentence that
# says it, "what did the former director warn about?" 0.22). On the tuning part no out-of-scope
# question has more than 61% of its words in one sentence; the in-scope ones refused on meaning
# alone at 100% were names rescued later. 0.15 and 0.2 gave the same tuning figures.
FULL_COVERAGE = 0.95
FULL_COVERAGE_RELIEF = 0.2
PHRASE_FOUND = 0.8  # share of a phrase's search words one sentence holds to count as found
# the verbs of a question about what someone said ("what did X conclude / call for?"): what
# the sentence reports rather than a word it repeats, so not counted as evidence
_REPORTING = frozenset(
    {
        "say",
        "said",
        "argu",
        "recommend",
        "warn",
        "conclud",
        "think",
        "call",
        "suggest",
        "propos",
        "find",
        "found",
        "report",
        "admit",
        "acknowledg",
        "conced",
    }
)
CONTRADICTION_PENALTY = 0.6
# relevance: meaning (the sentence, read with its heading, against the question) and shared
# words; chosen on the tuning part of the golden set (lead accuracy ~0.74 over a wide plateau,
# with IDF-weighted words)
MEANING_WEIGHT = 0.5
WORDS_WEIGHT = 0.3
# a word carried over from an earlier turn, against the message's own; chosen on the tuning
# conversations (follow-up lead accuracy 0.69 at 1.0, 0.73 at 0.3-0.5, 0.77 at 0.1)
BACKGROUND_WEIGHT = 0.1
# a follow-up's own message, mixed into the meaning it is judged by (tuning conversations:
# 0.5 beat 0, 1 and 2 on fact recall and off-point rate)
OWN_MEANING = 0.5
CURRICULUM_ASIDE = 0.1  # 0.1 and 0.2 gave the same tuning figures
WHO_SAID_BONUS = 0.3
LEAD_WITH_BONUS = 0.25  # for each part of what the caller needs first (compose's lead_with)
EXEMPTION_BONUS = 0.15  # a yes/no question's relation, exempted by name (not tuned)
# the sentence reports the one the question names: by name (0.3, as the kind bonuses: "what
# did Helga Pile say?"), or by a word of the question before the verb (0.1: "what did social
# workers say?", where a topic word such as "survey" can stand there too)
NAMED_SAID_BONUS = 0.3
SAID_BONUS = 0.1
YEAR_MATCH = 0.1  # a source of the year the question names ("the 2013 survey")
HEADING_WEIGHT = 0.1  # how much a section heading's closeness to the question adds
# a section whose heading asks what the question asks, in its words ("Who can have one" for
# "who can have a direct payment?": "who", "can" and "have" say nothing to the index)
FRAMED_BONUS = 0.1
HEADED_BONUS = 0.2  # "what is in session 4?": the section headed "Session 4 - ..." (not tuned)
DEFINITION_ASIDE = 0.25  # "A direct payment is ..." rarely answers a question that is not "what is"
# a sentence is off the point below this relevance, or below this share of the lead's
RELEVANCE_FLOOR = 0.25
RELEVANCE_SHARE = 0.5
ELSEWHERE_SHARE = 0.85  # a sentence from another section must score this near the lead
LEXICAL_SUPPORT = 0.6  # share of the question's words one sentence must contain for that
# How far an answer's lead is to be trusted: a logistic model of "the first sentence holds the
# expected fact", fitted on the tuning part of the golden set (885 answered questions and
# follow-up turns with facts; the held-out part played no part). Each weight is per unit of the
# feature: the share of the question's words (by rarity) the lead holds, how far its score
# beats every sentence of other passages, whether it holds the rarest word asked, whether it
# comes from a passage the retriever ranked below another (the two judges disagree), the lead's
# own score, and whether the message was a follow-up (their leads are right less often).
# Five-fold cross-validated AUC on the tuning part 0.742, against 0.709 for the hand-weighted
# sum it replaced; the semantic closeness of the best passage added nothing once these were in.
CONFIDENCE_MODEL = {
    "intercept": 0.01,
    "overlap": 0.84,
    "margin": 1.59,
    "named": 0.15,
    "later": -0.86,
    "score": 1.47,
    "follow_up": -0.64,
}


def make_citation(n: int, passage: Passage, focus: str | None = None) -> Citation:
    record = passage.record
    return Citation(
        n=n,
        doc_id=record.doc_id,
        title=record.title,
        source_type=record.source_type,
        kind=source_kind(record),
        section=passage.chunk.section,
        source_url=record.source_url,
        published=record.published,
        snippet=snippet(passage.chunk.text, focus),
        score=round(max(0.0, min(1.0, passage.similarity)), 4),
    )


def snippet(text: str, focus: str | None = None, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    start = 0
    if focus:
        at = flat.find(" ".join(focus.split()))
        if at > limit // 3:
            start = at - limit // 4
            start = flat.rfind(" ", 0, start) + 1
    piece = flat[start : start + limit]
    piece = piece[: piece.rfind(" ")] if start + limit < len(flat) else piece
    return ("… " if start else "") + piece.strip() + (" …" if start + limit < len(flat) else "")


class ExtractiveComposer:
    """Answers from the best section first.

    The lead is the sentence that best answers the question by its kind (a figure for "how
    many", a definition for "what is", the rule for "can I"), judged by meaning (the
    sentence's vector against the question's, when sentence vectors are available) and by
    shared words. The rest of the lead's section follows in its own order when it bears on
    the question (a section is written to be read), and a sentence from another source is
    added only when it answers part of the question the section leaves out.
    """

    def __init__(
        self,
        tokenize: Callable[[list[str]], list[list[str]]],
        *,
        min_similarity: float = 0.35,
        max_words: int = MAX_WORDS,
        sentences: SentenceVectors | None = None,
        embed_query: Callable[[str], np.ndarray] | None = None,
        term_weights: Callable[[], Mapping[str, float]] | None = None,
    ) -> None:
        #: how much each word says (IDF over the index): "pension" counts, "need" barely
        self.term_weights = term_weights
        self.tokenize = tokenize
        self.min_similarity = min_similarity
        self.max_words = max_words
        self.sentences = sentences
        self.embed_query = embed_query
        #: a passage's answer units and their tokens, by its text and heading: a chunk's text
        #: never changes (a new version is a new chunk), so each is cut and tokenised once
        self._units = functools.lru_cache(maxsize=UNITS_CACHED)(self._cut)
        #: the verbs of spending every "what it can pay for" item shares, as tokens
        self._spending = frozenset(tokenize([_SPENDING])[0])

    def weights_of(self, terms: Collection[str]) -> dict[str, float]:
        """How much each of these words says (IDF over the index), a word the index never saw
        weighing as much as the rarest; empty without term weights. The question's words only,
        so each sentence's overlap is not computed over the whole vocabulary."""
        index_weights = self.term_weights() if self.term_weights else {}
        if not index_weights:
            return {}
        rarest = max(index_weights.values(), default=1.0)
        return {t: index_weights.get(t, rarest) for t in terms}

    def enough_evidence(
        self,
        passages: list[Passage],
        coverage: float,
        continuing: Collection[str] = (),
        words: int = 2,
        phrased: bool = False,
    ) -> bool:
        """Answer when a passage is semantically close; a little less close is enough when one
        sentence also contains most of the question's words (names, exact terms), and less
        close still when it contains every one of two or more (`words`: a single word such as
        "article" is found in too many places to be evidence), or when the passage is from a
        source the conversation's last answer cited (a follow-up such as "what did the
        editorial say?" is short on words of its own). `phrased`: one sentence holds what a
        practitioner's phrase in the message searches, in the sources' words ("timesheets don't
        match": the warning signs of misuse), as good as every word found. Calibrated on the
        golden set: in-scope questions bottom out at 0.42, out-of-scope ones peak at 0.37 (with
        40% of their words found)."""
        top = max(
            p.similarity + (CONVERSATION_RELIEF if p.record.doc_id in continuing else 0.0)
            for p in passages[:3]
        )
        if top >= self.min_similarity:
            return True
        if (coverage >= FULL_COVERAGE and words >= 2) or phrased:
            return top >= self.min_similarity - FULL_COVERAGE_RELIEF
        return top >= self.min_similarity - LEXICAL_RELIEF and coverage >= LEXICAL_SUPPORT

    def confidence(
        self,
        passages: list[Passage],
        coverage: float,
        lead: Sentence | None = None,
        margin: float = 0.0,
        rarest: str | None = None,
        follow_up: bool = False,
    ) -> float:
        """How far to trust the answer. Without a lead (abstaining), how close the best passage
        is. With one, the chance that the lead is right (`CONFIDENCE_MODEL`): how much of the
        question the lead sentence itself contains (words weighted by rarity), how clearly it
        beats every sentence of the other passages, whether it holds the rarest word the
        message asks (`rarest`: "Cornwall" in "what happened in R(B) v Cornwall?"), its own
        score, less when it comes from a passage the retriever ranked below others or answers a
        follow-up. Similarity alone did not separate right leads from wrong ones (generic
        sentences are close to everything)."""
        if not passages:
            return 0.0
        if lead is None:
            semantic = _scale(max(p.similarity for p in passages[:3]), 0.15, 0.7)
            return round(min(1.0, 0.75 * semantic + 0.25 * coverage), 4)
        model = CONFIDENCE_MODEL
        z = (
            model["intercept"]
            + model["overlap"] * min(1.0, lead.overlap)
            + model["margin"] * margin
            + model["named"] * (rarest is None or rarest in lead.terms)
            + model["later"] * (lead.passage > 0)
            + model["score"] * lead.score
            + model["follow_up"] * follow_up
        )
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def compose(
        self,
        question: str,
        passages: list[Passage],
        *,
        require_evidence: bool = True,
        background: str = "",
        own: str = "",
        continuing: Collection[str] = (),
        lead_with: re.Pattern[str] | None = None,
        frame: str | None = None,
    ) -> Composition:
        """The extractive answer. `require_evidence=False` answers from the passages given
        even when they are only loosely related (the safeguarding route). `background` is
        the part of `question` carried over from an earlier turn of a conversation: its words
        count for less than those of the message itself (`own`). Sentences matching
        `lead_with` come first, those with more of its distinct parts sooner (the safeguarding
        route: 999, a safeguarding concern, section 42)."""
        if not passages:
            return Composition(ABSTAIN_MESSAGE, False, 0.0, [])
        q_terms = set(self.tokenize([question])[0])
        # how a question asks is not what it asks about: "often" in "how often" ("often three
        # to six months" is not an answer to it), "called" in "what was X called?", and "get"
        # ("who could get them then?" is not answered by "employers can get peer support")
        asking = _HOW_ADVERB.findall(question)
        if _NAMING_QUESTION.search(question):  # "what was the 2012 white paper called?"
            asking.append("called")
        if asking:
            q_terms -= set(self.tokenize([" ".join(asking)])[0])
        q_terms -= _EMPTY_VERBS | _ANYONE
        sentences = self._candidates(passages)
        # what the message asks ("and if the council says no?"), not the words it carries
        # ("conditions" would make it a list question)
        kinds = question_kinds(own if background and own else question)
        if not kinds and frame:  # "and to people who lack capacity?" asks what was asked before
            framed = question_kinds(frame)
            kinds = set() if "list" in framed else framed & BORROWED_KINDS
        weights = self.weights_of(q_terms)
        carried: set[str] = set()
        if background:
            carried = set(self.tokenize([background])[0]) - set(self.tokenize([own])[0])
        for term in carried & set(weights):  # carried words weigh less
            weights[term] *= BACKGROUND_WEIGHT
        self._attach_similarity(question, sentences, own if background else "")
        years = set(_DATE_LIKE.findall(question))
        clashes = contradiction_test(question)
        asked = q_terms - carried  # the message's own words
        teaching = bool(_TEACHING.search(question))
        # "what's in the training session on ...?" asks of the curriculum itself
        a_session = bool(_SESSION.search(own or question))
        introduced = _introduction_of(own or question)
        numbered = {t for t in asked if _NUMBERED.match(t)}
        framed = _frames_in(own or question)
        rows_asked = not kinds & {"list", "compare"}  # one row of a table, not the table
        # who a "what did X say?" names: X's words (an acronym's expansion too: "TLAP (Think
        # Local Act Personal)"), or the message's own words when it names no one
        speakers = " ".join(names_in(own or question)) if "said" in kinds else ""
        spoken: set[str] = set()
        if speakers:
            spoken = set(self.tokenize([expand_query(speakers, phrases=False)])[0])
        for s in sentences:
            record = passages[s.passage].record
            if record.doc_id in continuing:
                s.prior += CONTINUING_BONUS
            if record.source_type == "curriculum" and not teaching:
                s.prior -= CURRICULUM_ASIDE  # "how do I recruit a PA?" is not a session plan
            elif record.source_type == "curriculum" and a_session:
                s.prior += CURRICULUM_ASIDE
            if years and of_year(record, years):
                s.prior += YEAR_MATCH  # "the 2013 survey": the source of that year
            elif years and _TITLE_YEAR.search(record.title):
                s.prior -= YEAR_MATCH  # "and in 2011?": not the survey of another year
            if framed and _frame_of(s.section) in framed:
                s.prior += FRAMED_BONUS  # "who can have a direct payment?": "Who can have one"
            if numbered and _heading_number(s.section) in numbered:
                s.prior += HEADED_BONUS  # a numbered part asked: the section headed by it
            s.overlap = _overlap(s.terms, q_terms, weights)
            s.relevance = self._relevance(s, q_terms, kinds, weights)
            s.defines = self._defines_asked_term(s, question) if "define" in kinds else None
            s.score = s.relevance + self._kind_bonus(s, kinds) + s.prior
            s.score += 0.05 / (1 + s.position)  # leading sentences tend to state the point
            if "said" in kinds and self._speaker_asked(s.text, spoken or asked, bool(spoken)):
                s.score += NAMED_SAID_BONUS if spoken else SAID_BONUS
            elif spoken and _DEFINES.search(s.text[:80]) and not _REPORTED.search(s.text):
                s.score -= DEFINITION_ASIDE  # "what did TLAP say?" does not ask what TLAP is
            elif "who said" in kinds and _REPORTED.search(s.text):
                s.score += WHO_SAID_BONUS  # as a figure for "how many": what the question wants
            if introduced is not None and introduced.search(s.text):
                s.score += INTRODUCED_BONUS  # "who is Sarah Carr?": "Sarah Carr of SCIE ..."
            if lead_with is not None:  # the more of it a sentence gives, the sooner it comes
                found = {m.group(0).lower() for m in lead_with.finditer(s.text)}
                s.score += LEAD_WITH_BONUS * len(found)
            if rows_asked and self._the_row_asked(s, asked) is not s:
                s.score += ROW_BONUS  # a table with a row for what the message itself names
            s.contradicts = clashes(s.text, s.section)
            if s.contradicts:
                s.score -= CONTRADICTION_PENALTY  # never lead with the other case's rule
        # an exemption naming the question's relation answers it, where it qualifies the rule
        # that would lead (the same document): the insurance exemption for a sister answers an
        # insurance question, not one on paying her
        if sentences and "yesno" in kinds:
            exempts = exemption_test(own or question)  # "... if the PA is her sister?"
            ruling = passages[max(sentences, key=lambda s: s.score).passage].record.doc_id
            for s in sentences:
                if passages[s.passage].record.doc_id == ruling and exempts(s.text):
                    s.score += EXEMPTION_BONUS
        # what a sentence must hold to be evidence: not the verb of "what did X conclude?"
        sought = q_terms - _REPORTING if "said" in kinds else q_terms
        overlaps = (
            (_overlap(s.terms, sought, weights) for s in sentences)
            if sought != q_terms
            else (s.overlap for s in sentences)
        )
        best_overlap = max(overlaps, default=0.0)
        hinted = set(self.tokenize([" ".join(phrase_hints(own or question))])[0])
        phrased = False
        unsaid = self._unsaid(own or question) if hinted else set()
        for s in sentences:
            if hinted and len(s.terms & hinted) >= PHRASE_FOUND * len(hinted):
                phrased = True
                if unsaid and len(s.terms & unsaid) >= PHRASE_FOUND * len(unsaid):
                    s.score += HINTED_BONUS
        evidence = self.enough_evidence(passages, best_overlap, continuing, len(sought), phrased)
        if not sentences or (require_evidence and not evidence):
            return Composition(
                ABSTAIN_MESSAGE, False, self.confidence(passages, best_overlap, None), []
            )
        chosen = self._select(sentences, passages, q_terms, kinds, nations_named(question))
        if lead_with is not None and kinds and chosen:
            self._add_asked(sentences, chosen, lead_with, asked, weights)
        if "compare" in kinds and chosen:
            self._add_compared(question, sentences, chosen)
        if "yesno" in kinds and chosen:
            self._add_other_case(question, sentences, chosen)
        if "yesno" in kinds and all(_DEFINITION.match(c.text) for c in chosen):
            chosen = []  # "can a PA drive?" is not answered by what a PA is
        if kinds & {"when", "numeric", "duration"} and "list" not in kinds:
            chosen = [self._the_item_asked(c, asked, weights) for c in chosen]
        if "define" in kinds and "list" not in kinds:
            chosen = [self._the_item_defined(c, own or question) for c in chosen]
        if "said" in kinds and "list" not in kinds:
            chosen = [self._the_item_said(c, own or question) for c in chosen]
            sought = asked - _REPORTING
            chosen = [self._the_point_said(c, own or question, sought, weights) for c in chosen]
        if rows_asked:
            chosen = [self._the_row_asked(c, q_terms) for c in chosen]
        if "yesno" in kinds and "list" not in kinds:
            chosen = [self._the_item_ruled(c, asked, weights) for c in chosen]
        if not chosen:
            return Composition(ABSTAIN_MESSAGE, False, self.confidence(passages, best_overlap), [])
        answer, citations, chunk_ids = self._render(chosen, passages, _part_asked(question))
        lead = max(chosen, key=lambda c: c.score)
        rivals = [x.score for x in sentences if x.passage != lead.passage]
        margin = lead.score - max(rivals, default=0.0)
        rarest = max(asked & set(weights), key=lambda t: (weights[t], t), default=None)
        confidence = self.confidence(
            passages, best_overlap, lead, margin, rarest, follow_up=bool(background)
        )
        return Composition(
            answer, True, confidence, citations, cited_chunk_ids=chunk_ids, coverage=best_overlap
        )

    # -- steps --------------------------------------------------------------------------
    def _add_compared(
        self, question: str, sentences: list[Sentence], chosen: list[Sentence]
    ) -> None:
        """A comparison is answered about both things it names: when the answer says nothing
        of one ("an ISF" but not "a managed account"), the best sentence that does is added.
        A thing is named by its rarest word in the index ("agency" in "using an agency")."""
        compared = _COMPARED.search(question)
        if compared is None:
            return
        weights = self.term_weights() if self.term_weights else {}
        for side in self.tokenize([compared.group(1), compared.group(2)]):
            if not side:
                continue
            key = max(side, key=lambda t: weights.get(t, 0.0))
            if any(key in c.terms for c in chosen):
                continue
            naming = [s for s in sentences if key in s.terms and not s.contradicts]
            best = max(naming, key=lambda s: s.score, default=None)
            group = self._with_predecessor(best, sentences) if best is not None else []
            fresh = [g for g in group if g not in chosen]
            words = sum(len(c.text.split()) for c in chosen + fresh)
            if fresh and words <= self.max_words:
                chosen.extend(fresh)

    def _add_other_case(
        self, question: str, sentences: list[Sentence], chosen: list[Sentence]
    ) -> None:
        """A yes/no answer whose rule hangs on a condition the question leaves open ("can my
        client pay her husband?": the rule for a relative living elsewhere) also gives the rule
        for the other case (living with her), right after the lead."""
        lead = chosen[0]  # the lead, or the sentence its pointer leans on (never a pointer)
        for states_other in other_cases(question, lead.text):
            if any(states_other(c.text) for c in chosen):
                continue
            stating = [s for s in sentences if states_other(s.text) and s.relevance > 0]
            best = max(stating, key=lambda s: s.score, default=None)
            group = self._with_predecessor(best, sentences) if best is not None else []
            after = _successor(best, sentences) if best is not None else None
            if after is not None and _QUALIFIER.match(after.text):
                group.append(after)  # and its exception
            fresh = [g for g in group if g not in chosen]
            while (
                fresh
                and len(chosen) > 1
                and (
                    sum(len(c.text.split()) for c in chosen + fresh) > self.max_words
                    or len(chosen) + len(fresh) > MAX_SENTENCES
                )
            ):
                chosen.pop()  # the other case matters more than the last line
            at = chosen.index(lead) + 1
            chosen[at:at] = fresh

    def _candidates(self, passages: list[Passage]) -> list[Sentence]:
        out: list[Sentence] = []
        top = max(p.similarity for p in passages)
        for p_index, passage in enumerate(passages):
            context = f"{passage.record.title} {passage.chunk.section or ''}"
            texts, tokens, context_terms = self._units(passage.chunk.text, context)
            if not texts:
                continue
            # 0.25 for the closest passage, falling with the similarity gap (not the rank:
            # a much closer passage should win even when fusion put it second)
            prior = max(0.0, 0.25 + PRIOR_SLOPE * (passage.similarity - top))
            heading = passage.chunk.section or passage.record.title
            for position, (text, terms) in enumerate(zip(texts, tokens, strict=True)):
                words = len(text.split())
                is_list = text.count("; ") >= 2 or text.count(", ") >= 4
                longest = 170 if is_list else 90
                if words < 4 or words > longest or (words < 10 and not _ENDS_SENTENCE.search(text)):
                    continue  # headings, fragments, run-on table rows
                if position == 0 and not _STARTS_SENTENCE.match(text):
                    continue  # the chunk began mid-sentence (overlap): a fragment
                own = set(terms)
                if is_list:  # a list carries the words of the sentence that introduces it
                    for back in (1, 2):
                        if position - back >= 0:
                            own |= set(tokens[position - back])
                            if len(texts[position - back].split()) >= 4:
                                break
                sentence = Sentence(
                    text, p_index, position, prior, own, set(context_terms), is_list, heading
                )
                sentence.section = passage.chunk.section
                sentence.own_terms = set(terms)
                out.append(sentence)
        return out

    def _cut(self, text: str, context: str) -> tuple[list[str], list[list[str]], frozenset[str]]:
        """A passage's sentences, each one's tokens, and the tokens of its title and heading.
        A chunk cut at a line inside a sentence ends with a fragment, which a list's joining
        would even close with a full stop ("... many councils and direct."): it is left out."""
        texts = split_sentences(text)
        if texts and _cut_short(text):
            texts = texts[:-1]
        if not texts:
            return [], [], frozenset()
        tokens = self.tokenize([*texts, context])
        return texts, tokens[:-1], frozenset(tokens[-1])

    def _attach_similarity(self, question: str, sentences: list[Sentence], own: str = "") -> None:
        """Each sentence's cosine similarity to the question (vectors are normalised). For a
        follow-up, `own` is the message itself: its meaning is mixed into the question's (the
        words carried from the earlier turn otherwise pull towards what was answered then)."""
        if self.sentences is None or self.embed_query is None or not sentences:
            return
        vectors = self.sentences.vectors([in_context(s.heading, s.text) for s in sentences])
        query = self.embed_query(question)
        if own:
            mixed = query + OWN_MEANING * self.embed_query(own)
            query = mixed / (np.linalg.norm(mixed) or 1.0)
        for s, value in zip(sentences, vectors @ query, strict=True):
            s.similarity = float(value)
        # the section as a whole: a heading close to the question ("How to ask") lifts every
        # sentence under it a little (sections are written to answer their headings)
        headings = sorted({s.heading or "" for s in sentences})
        closeness = dict(zip(headings, self.sentences.vectors(headings) @ query, strict=True))
        for s in sentences:
            s.prior += HEADING_WEIGHT * float(closeness[s.heading or ""])

    @staticmethod
    def _relevance(
        s: Sentence, q_terms: set[str], kinds: set[str], weights: Mapping[str, float]
    ) -> float:
        """How much the sentence bears on the question: shared words (its heading's too: a
        definition's second sentence rarely repeats the term it defines) and meaning."""
        weight = 0.8 if "define" in kinds else 0.5
        words = s.overlap + weight * _overlap(s.section_terms - s.terms, q_terms, weights)
        if s.similarity is None:
            return words
        return MEANING_WEIGHT * s.similarity + WORDS_WEIGHT * words

    def _speaker_asked(self, text: str, terms: set[str], named: bool) -> bool:
        """The sentence reports what the one the question names said ("what did TLAP say?":
        "Think Local Act Personal's co-chairs said ..."). `named`: `terms` are the words of
        the names the question gives ("what did Helga Pile say?" is not answered by what "82%
        of respondents said" on the subject asked about), looked for in each item of a list."""
        for part in text.split("; ") if named else [text]:
            reported = _REPORTED.search(part)
            if reported and set(self.tokenize([part[: reported.start()]])[0]) & terms:
                return True
        return False

    @staticmethod
    def _kind_bonus(s: Sentence, kinds: set[str]) -> float:
        bonus = 0.0
        if "duration" in kinds:
            bonus += 0.3 if _DURATION.search(s.text) else 0.0  # "how long": weeks, months
        elif "share" in kinds:
            bonus += 0.3 if _SHARE.search(s.text) else 0.0  # "what share ...?": "49%"
        elif "numeric" in kinds and (
            _FIGURE.search(_REFERENCE.sub("", _DATE_LIKE.sub("", s.text)))
            or _COUNTED.search(s.text)
        ):
            bonus += 0.3  # a figure (a year is not one), or a count in words ("two references")
        if "findings" in kinds and _SHARE.search(s.text):
            bonus += FINDING_SHARE_BONUS  # what a survey found is mostly shares ("49% felt ...")
        if "when" in kinds and (
            _DATE_LIKE.search(_NAMED_YEAR.sub("", s.text))
            or _DURATION.search(s.text)
            or _RELATIVE_TIME.search(s.text)
            or _DECADE.search(s.text)
        ):  # a year, a time ("within six months", "yearly"), a moment ("before the first payday")
            bonus += 0.3
        if "list" in kinds and (s.is_list or _INLINE_LIST.search(s.text)):
            bonus += 0.2  # a list, or a sentence that lists ("Signs of ... include a, b and c")
        if "define" in kinds and _DEFINES.search(s.text):
            bonus += 0.15
        if "define" in kinds and s.defines is not None:  # the definition of the term asked
            bonus += 0.2 if s.defines else -0.1  # ... or of another term in the question
        if "yesno" in kinds and _RULE.search(s.text):
            bonus += 0.1
        if "successor" in kinds and _SUCCEEDS.search(s.text):
            bonus += 0.3  # "what replaced it?": the sentence saying what followed
        if "negated" in kinds and _NEGATION.search(f"{s.section or ''} {s.text}"):
            bonus += NEGATION_BONUS  # "what can't it pay for?": what it cannot, not what it can
        if "compare" in kinds and _DEFINES.search(s.text):
            bonus += 0.15  # "the difference between X and Y": what each one is
        elif "define" not in kinds and _DEFINITION.match(s.text) and not _JOINED.search(s.text):
            bonus -= DEFINITION_ASIDE  # (points joined, the first "A DBS certificate is a
            # snapshot: ...", are not a definition)
        return bonus

    def _select(
        self,
        sentences: list[Sentence],
        passages: list[Passage],
        q_terms: set[str],
        kinds: set[str],
        nations: list[str] | None = None,
    ) -> list[Sentence]:
        """The lead, then the rest of its section that bears on the question, then (only for
        what the section leaves out) a sentence from another source."""
        kept = [s for s in sentences if not self._other_nation(s, nations)]
        sentences = kept or sentences
        ranked = sorted(sentences, key=lambda s: s.score, reverse=True)
        chosen: list[Sentence] = []
        for s in ranked:  # the lead: the best sentence that can be read on its own
            group = self._with_predecessor(s, sentences)
            if group:
                chosen = group
                break
        if not chosen:
            return []
        lead = chosen[-1]
        words = sum(len(c.text.split()) for c in chosen)
        home = [s for s in sentences if s.passage == lead.passage and s not in chosen]
        after = [s for s in home if s.position > lead.position]
        before = [s for s in home if s.position < lead.position]
        floor = max(RELEVANCE_FLOOR, RELEVANCE_SHARE * lead.relevance)
        for s in sorted(after, key=lambda s: s.position) + sorted(before, key=lambda s: s.position):
            if len(chosen) >= MAX_SENTENCES:
                break
            beside = s.position == lead.position + 1 and (
                _QUALIFIER.match(s.text) or _names_again(s.text, lead.text)
            )
            if s.contradicts or (s.relevance < floor and not beside):
                continue
            next_to_lead = s.position == lead.position + 1
            if not next_to_lead and not s.terms & q_terms and _better_elsewhere(s, sentences, lead):
                continue
            if _POINTER.match(s.text) and _predecessor(s, sentences) not in chosen:
                continue
            if self._says_again(s, chosen):
                continue
            length = len(s.text.split())
            if words + length > self.max_words:
                continue
            chosen.append(s)
            words += length
        words += self._add_context(lead, sentences, chosen, words)
        if "list" in kinds and lead.is_list:
            return chosen  # the whole list from the one section that holds it
        covered = set().union(*(c.terms for c in chosen)) & q_terms
        same_document = passages[lead.passage].record.doc_id
        others = 0
        for s in ranked:
            if len(chosen) >= MAX_SENTENCES or s.score < ELSEWHERE_SHARE * lead.score:
                break
            if s in chosen or s.contradicts or s.relevance < floor:
                continue
            elsewhere = passages[s.passage].record.doc_id != same_document
            if elsewhere and (
                others or s.relevance < lead.relevance or not (s.terms & q_terms) - covered
            ):
                continue  # another source only for what the question asks and the answer lacks
            group = self._with_predecessor(s, sentences)
            if not group or any(self._says_again(g, chosen) for g in group if g not in chosen):
                continue
            length = sum(len(g.text.split()) for g in group if g not in chosen)
            if words + length > self.max_words:
                continue
            chosen.extend(g for g in group if g not in chosen)
            words += length
            covered |= s.terms & q_terms
            others += elsewhere  # one other source at most: the answer stays on one point
        return chosen

    def _add_asked(
        self,
        sentences: list[Sentence],
        chosen: list[Sentence],
        lead_with: re.Pattern[str],
        asked: set[str] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        """After what must come first (the safeguarding route), the sentence that best answers
        what the message itself asks ("should I stop the direct payment if I'm worried about
        abuse?": safeguarding is no reason to stop one by default), when the route left it
        out: the route's bonus puts every other sentence too far below its lead to be added."""
        words = sum(len(c.text.split()) for c in chosen)
        rest = [
            s
            for s in sentences
            if s not in chosen and not s.contradicts and not lead_with.search(s.text)
        ]
        s = max(rest, key=lambda s: s.score, default=None)
        if s is None or s.relevance < RELEVANCE_FLOOR:
            return
        readable = self._with_predecessor(s, sentences)
        group = [g for g in readable if g not in chosen]
        length = sum(len(g.text.split()) for g in group)
        intro, items = _list_items(s.text)
        if words + length > self.max_words and items and readable == [s]:
            # a long list: the item the message names, with what introduces it ("Signs that a
            # direct payment may be being misused ...: care not delivered ...; timesheets that
            # do not match"), or else what it says, not its items
            item = self._item_clearly_asked(items, asked, weights) if asked and weights else None
            shown = f"{_THESE.sub('', intro)}: {item[:1].lower()}{item[1:]}" if item else intro
            group = [self._as_item(s, shown)]
            length = len(shown.split())
        fits = words + length <= self.max_words
        if group and fits and not any(self._says_again(g, chosen) for g in group):
            chosen.extend(group)

    def _add_context(
        self, s: Sentence, sentences: list[Sentence], chosen: list[Sentence], words: int
    ) -> int:
        """A figure keeps its context: the nearest earlier sentence of the same passage that
        names the survey or year comes right after it, when the figure's own sentence and
        what is already chosen do not."""
        if not _FIGURE.search(s.text) or any(_CONTEXT.search(c.text) for c in chosen):
            return 0
        earlier = [
            c
            for c in sentences
            if c.passage == s.passage and s.position - 3 <= c.position < s.position
        ]
        for c in sorted(earlier, key=lambda c: c.position, reverse=True):
            if _CONTEXT.search(c.text) and not _POINTER.match(c.text):
                length = len(c.text.split())
                if words + length > self.max_words + 30:
                    return 0
                chosen.insert(chosen.index(s) + 1, c)
                return length
        return 0

    def _the_item_asked(
        self, s: Sentence, asked: set[str], weights: Mapping[str, float]
    ) -> Sentence:
        """A long list read for one date or figure ("and to people who lack capacity?" after
        "when ...?", against a timeline of the laws) is cut to the item that names what the
        message asks and holds a number, when one item clearly does and the rest do not."""
        if not s.is_list or len(s.text.split()) < LONG_LIST_WORDS:
            return s
        intro, items = _list_items(s.text)
        if len(items) < 4 or len(intro.split()) < 4:
            return s
        item = self._item_clearly_asked(items, asked, weights)
        if item is None or not re.search(r"\d", item):  # the date or figure asked for
            return s
        return self._as_item(s, item)

    def _the_point_said(
        self, s: Sentence, question: str, asked: set[str], weights: Mapping[str, float]
    ) -> Sentence:
        """What one person the question names said, as a list of points, read for one point
        ("where did self-directed support come from, according to Ali Gardner?"): that point,
        still attributed ("Ali Gardner ... argued that personalisation ... came from ...")."""
        names = names_in(question)
        if not s.is_list or not names:
            return s
        intro, items = _list_items(s.text)
        if len(items) < 3 or not _reported_by(intro, names):
            return s
        item = self._item_clearly_asked(items, asked, weights)
        return s if item is None else self._as_item(s, f"{intro.rstrip(': ')} {item}")

    def _unsaid(self, message: str) -> set[str]:
        """What the message's phrases search, for the phrases said in words the sources do not
        use ("straight away": immediately; "expire": snapshot): the sentence saying that is a
        lead. Not for a word the sources use themselves ("stop" also searches "end", but "the
        council must or may stop" says it as asked)."""
        index = self.term_weights() if self.term_weights else {}
        hints = [
            hint
            for said, hint in phrase_matches(message)
            if len(said.split()) > 1 or not all(t in index for t in self.tokenize([said])[0])
        ]
        return set(self.tokenize([" ".join(hints)])[0]) if hints else set()

    def _the_item_ruled(
        self, s: Sentence, asked: set[str], weights: Mapping[str, float]
    ) -> Sentence:
        """A yes/no question answered by a list of rules ("can her DP pay for a week in a care
        home?" by "A direct payment cannot pay for these: long-term care in a care home ...;
        paying a close relative ...; healthcare ...; anything illegal ...") gets the rule that
        names what it asks, with what introduces it, when one item clearly does."""
        if not s.is_list:
            return s
        intro, items = _list_items(s.text)
        # "... must be satisfied of five conditions:" is not answered by one of them
        if (
            len(items) < 4
            or len(intro.split()) < 3
            or re.search(r"\d", intro)
            or _COUNTED.search(intro)
        ):
            return s
        # the thing asked about, not the spending every item shares ("can she buy a laptop with
        # her DP?" is not answered by "buying care from a home care agency")
        things = asked - self._spending
        item = self._item_clearly_asked(items, things, weights)
        if item is None:
            return s
        lead_in = _THESE.sub("", intro)  # "... cannot pay for these": "... cannot pay for"
        joined = " " if lead_in != intro else ": "
        return self._as_item(s, f"{lead_in}{joined}{item[:1].lower()}{item[1:]}")

    def _item_clearly_asked(
        self, items: list[str], asked: set[str], weights: Mapping[str, float]
    ) -> str | None:
        """The item holding at least twice the weight of the message's words any other does."""
        found = [
            sum(weights.get(t, 0.0) for t in set(toks) & asked) for toks in self.tokenize(items)
        ]
        ranked = sorted(found, reverse=True)
        if ranked[0] <= 0 or ranked[0] < 2 * ranked[1]:
            return None
        return items[found.index(ranked[0])]

    def _the_item_defined(self, s: Sentence, question: str) -> Sentence:
        """'What does proportionality mean?' against the list of the six principles is
        answered with the principle's own item ("Proportionality - the least intrusive
        response ..."), not the whole list: the item that opens with the term asked."""
        asked = _DEFINED_IN_QUESTION.match(question)
        if not s.is_list or asked is None:
            return s
        wanted = set(self.tokenize([asked.group(1)])[0])
        _, items = _list_items(s.text)
        if not wanted or len(items) < 3:
            return s
        heads = self.tokenize(
            [" ".join(re.split(r" - |: |, ", i, maxsplit=1)[0].split()[:4]) for i in items]
        )
        named = [
            i
            for i, head in zip(items, heads, strict=True)
            if head and (wanted <= set(head) or set(head) <= wanted)
        ]
        if len(named) != 1:
            return s
        return self._as_item(s, named[0])

    def _the_item_said(self, s: Sentence, question: str) -> Sentence:
        """'What did Sarah Carr say?' against a list of what several people said about a
        survey is answered with her item alone, when exactly one item reports the one the
        question names ("a similar share said ..." names no one)."""
        if not s.is_list:
            return s
        _, items = _list_items(s.text)
        items = items or s.text.rstrip(".").split("; ")  # a list with no introduction
        if len(items) < 3:
            return s
        names = names_in(question)
        if names:
            said = [item for item in items if _reported_by(item, names)]
        else:  # "what did social workers say?": "A social worker interviewed said ..."
            asked = {t for t in self.tokenize([question])[0] if not t.isdigit()}
            said = [item for item in items if asked & self._speaker(item)]
        return self._as_item(s, said[0]) if len(said) == 1 else s

    def _speaker(self, item: str) -> set[str]:
        """The words just before an item's verb of saying: who said it ("a similar share")."""
        reported = _REPORTED.search(item)
        if reported is None:
            return set()
        return set(self.tokenize([" ".join(item[: reported.start()].split()[-4:])])[0])

    def _the_row_asked(self, s: Sentence, asked: set[str]) -> Sentence:
        """A table (one unit: "option: managed account; who holds the money: ...; option:
        individual service fund; ...") read for the one row whose first cell the message
        names ("who employs the staff with an individual service fund?") is cut to that row."""
        cells = s.text.rstrip(".").split("; ")
        if len(cells) < 4 or not all(_CELL.match(cell) for cell in cells):
            return s
        first = cells[0].split(": ", 1)[0] + ": "
        rows: list[list[str]] = []
        for cell in cells:
            if cell.startswith(first) or not rows:
                rows.append([cell])
            else:
                rows[-1].append(cell)
        if len(rows) < 3:
            return s
        names = self.tokenize([row[0][len(first) :] for row in rows])
        named = [row for row, name in zip(rows, names, strict=True) if name and set(name) <= asked]
        return self._as_item(s, "; ".join(named[0])) if len(named) == 1 else s

    def _as_item(self, s: Sentence, item: str) -> Sentence:
        """The list unit `s` cut to one of its items, read as a sentence of its own."""
        text = item[:1].upper() + item[1:] + "."
        return dataclasses.replace(s, text=text, own_terms=set(self.tokenize([text])[0]))

    @staticmethod
    def _other_nation(s: Sentence, nations: list[str] | None) -> bool:
        """About a UK nation other than the one(s) the question asks about: off the point."""
        if not nations:
            return False
        said = nations_named(f"{s.heading or ''} {s.text}")
        if not said and _IN_ENGLAND.search(s.text):  # "The legal basis in England is ..."
            return True
        return bool(said) and not set(said) & set(nations)

    def _defines_asked_term(self, s: Sentence, question: str) -> bool | None:
        """True when the sentence defines the term a "what is" question asks about, False
        when it defines some other term, None when it defines nothing. The first sentence of a
        section named after the term ("Best interests (section 4)") is its definition too."""
        defined = _DEFINITION.match(s.text)
        asked = _DEFINED_IN_QUESTION.match(question)
        if asked is None:
            return None
        named_first = _TERM_FIRST.match(s.text)  # "Positive risk-taking (also called ...) means"
        if defined is None and named_first is not None:
            term, wanted = self.tokenize([named_first.group(1), asked.group(1)])
            if term and set(term) == set(wanted):
                return True
        if defined is None:
            if s.position != 0 or not s.section:
                return None
            named = re.sub(r"\(.*?\)", "", s.section)
            heading, wanted = self.tokenize([named, asked.group(1)])
            return True if heading and set(heading) == set(wanted) else None
        term, wanted = self.tokenize([defined.group(1), asked.group(1)])
        return bool(term) and (set(term) <= set(wanted) or set(wanted) <= set(term))

    @staticmethod
    def _with_predecessor(s: Sentence, sentences: list[Sentence]) -> list[Sentence]:
        """The sentence, preceded by the one it points at ("That...", "However..."); empty
        when what it points at cannot be shown."""
        if s.contradicts:
            return []
        if not _POINTER.match(s.text):
            return [s]
        before = _predecessor(s, sentences)
        if before is None or before.contradicts or _POINTER.match(before.text):
            return []
        return [before, s]

    @staticmethod
    def _says_again(s: Sentence, chosen: list[Sentence]) -> bool:
        # its own words: a list also carries its introduction's (see _candidates), and "The
        # written statement must cover pay, hours, ..." is not the sentence before it again
        if any(jaccard(s.own_terms, c.own_terms) >= 0.6 for c in chosen):
            return True
        return _repeats_a_figure(s, chosen)  # the same finding from another source

    def _render(
        self, chosen: list[Sentence], passages: list[Passage], part: str | None = None
    ) -> tuple[str, list[Citation], list[str]]:
        """`part`: the kind of numbered part the question asks for ("which session covers
        ...?"): the first sentence says which, from its heading ("Session 3 - ...")."""
        numbers: dict[int, int] = {}
        focus: dict[int, str] = {}
        parts: list[str] = []
        last_label = None
        for s in chosen:
            n = numbers.setdefault(s.passage, len(numbers) + 1)
            text = attributed(s.text, passages[s.passage].record)
            text = text[:1].upper() + text[1:]  # a table's row opens with its header's word
            text = text if text[-1] in '.!?:"”’)' else text + "."
            if (
                part
                and not parts
                and s.section
                and _numbered(s.section, part)
                and not _numbered(text, part)
            ):
                text = f'Under "{s.section}": {text}'
            if s.passage not in focus:  # the first sentence from a source says what it is
                label = kind_label(passages[s.passage].record)
                if label != last_label:
                    text = f"{label}: {text}"
                last_label = label
            focus.setdefault(s.passage, s.text)
            parts.append(f"{text} [{n}]")
        cited = sorted(numbers.items(), key=lambda item: item[1])
        citations = [make_citation(n, passages[p], focus[p]) for p, n in cited]
        return " ".join(parts), citations, [passages[p].chunk.chunk_id for p, _ in cited]


# "which session covers employing PAs?", "which section of the Act is about best interests?"
_PART_ASKED = re.compile(
    r"\b(?:which|what) (?:(?!(?:does|do|is|are|did|was|were|the|a)\b)[\w-]+ ){0,2}?"
    r"(session|section|step|stage|part|chapter|regulation|module)\b",
    re.I,
)


def _part_asked(question: str) -> str | None:
    asked = _PART_ASKED.search(question)
    return asked.group(1).lower() if asked else None


def _numbered(text: str, part: str) -> bool:
    """`text` names a numbered `part` ("Session 3", "section 4"; a step or stage as "2. ...")."""
    if part in ("step", "stage") and re.match(r"\d+\.\s", text):
        return True
    return re.search(rf"\b{part}s? \d+", text, re.I) is not None


_FIRST_PERSON = re.compile(
    r"\b([Oo])ur ((?:latest|recent|new|annual|own|this year's) )?((?:[\w'-]+ ){0,2}?)"
    r"(survey|poll|research|study|findings|investigation|readers)\b"
)


def attributed(text: str, record: DocumentRecord) -> str:
    """First-person journalism quoted in an answer names whose it is: "our latest survey"
    becomes "Community Care's 2011 survey" (or "the article's ..." when no publisher is
    recorded), since "our" would otherwise read as Signpost's own."""
    year = (record.published or "")[:4]
    owner = record.publisher or f"the {source_kind(record).split(' (')[0]}"

    def replace(match: re.Match[str]) -> str:
        who = owner[0].upper() + owner[1:] if match.group(1) == "O" else owner
        words = match.group(3)
        if year.isdigit() and match.group(4) in ("survey", "poll") and not _DATE_LIKE.search(words):
            words = f"{year} {words}"
        return f"{who}'s {words}{match.group(4)}"

    return _FIRST_PERSON.sub(replace, text)


def of_year(record: DocumentRecord, years: set[str]) -> bool:
    """The source is of a year the question names (published then, or titled with it)."""
    return (record.published or "")[:4] in years or any(y in record.title for y in years)


def _scale(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _figures(text: str) -> set[str]:
    return {m.group(0).replace(" ", "") for m in _FIGURE.finditer(text)}


def _repeats_a_figure(s: Sentence, chosen: list[Sentence]) -> bool:
    """Two or more of the same figures as a sentence from another source: one finding."""
    mine = {f for f in _figures(s.text) if "%" in f or "£" in f}
    return len(mine) >= 2 and any(
        c.passage != s.passage and mine <= _figures(c.text) for c in chosen
    )


def _cut_short(text: str) -> bool:
    """The chunk ends inside a sentence: its last line ends no sentence, list item or table
    row. A bullet without a full stop is whole when the bullets before it have none either."""
    lines = text.rstrip().split("\n")
    if _CHUNK_ENDS.search(lines[-1]):
        return False
    if not _LIST_LINE.match(lines[-1]):
        return True
    items = [line.rstrip() for line in lines[:-1] if _LIST_LINE.match(line)]
    return any(_CHUNK_ENDS.search(item) for item in items)


def _predecessor(s: Sentence, sentences: list[Sentence]) -> Sentence | None:
    return _neighbour(s, sentences, -1)


def _successor(s: Sentence, sentences: list[Sentence]) -> Sentence | None:
    return _neighbour(s, sentences, 1)


def _neighbour(s: Sentence, sentences: list[Sentence], step: int) -> Sentence | None:
    return next(
        (c for c in sentences if c.passage == s.passage and c.position == s.position + step), None
    )


def _reported_by(text: str, names: list[str]) -> bool:
    """The text reports what one of these names said ("SCIE's Sarah Carr stressed ...")."""
    reported = _REPORTED.search(text)
    return reported is not None and any(mentions(text[: reported.start()], n) for n in names)


def _list_items(text: str) -> tuple[str, list[str]]:
    """A list unit's introduction and items ("The campaign led to these laws: a; b; c."); no
    items when nothing introduces them."""
    intro, colon, body = text.partition(": ")
    return intro, (body.rstrip(".").split("; ") if colon else [])


def _introduction_of(question: str) -> re.Pattern[str] | None:
    """For "who is/was <name>?": the name followed by what introduces it ("Sarah Carr of the
    Social Care Institute for Excellence", "Ruth Cartwright, professional officer ...")."""
    asked = _WHO_IS_QUESTION.match(question)
    if asked is None:
        return None
    name = r"\s+".join(re.escape(w) for w in asked.group(1).split())
    # "Ali Gardner (Manchester Metropolitan University ...)", not "Ali Gardner (2013)"
    return re.compile(rf"\b{name}(?:,| of\b| from\b| at\b| \((?!\d))", re.I)


def question_kinds(question: str) -> set[str]:
    kinds = set()
    if _NUMERIC_QUESTION.search(question):
        kinds.add("numeric")
    if _SHARE_QUESTION.search(question):
        kinds.add("share")
    if _WHEN_QUESTION.search(question):
        kinds.add("when")
    listing = {m.group(0).lower() for m in _LIST_QUESTION.finditer(question)}
    # "can the direct payment include agency cover?" and "is it enough to list the risks?" ask
    # yes or no, not for a list ("can you list the steps?" asks for one)
    verbs_only = listing <= {"include", "list"} and not _ASKS_FOR_LIST.match(question)
    if listing and not (verbs_only and _YESNO_QUESTION.search(question)):
        kinds.add("list")
    if _FINDINGS_QUESTION.search(question):
        kinds.add("findings")
    if _AMOUNT_QUESTION.search(question) or _FINDINGS_QUESTION.search(question):
        kinds.add("numeric")
    elif _DEFINE_QUESTION.search(question):
        kinds.add("define")
    if _YESNO_QUESTION.search(question):
        kinds.add("yesno")
        # "does the council have to tell her how much her budget is?" asks yes or no ("can you
        # tell me how much ...?" asks how much)
        if "numeric" in kinds and not _ASKS_POLITELY.match(question):
            kinds -= {"numeric", "share"}
    if _DURATION_QUESTION.search(question):
        kinds.add("duration")
    if _COMPARE_QUESTION.search(question):
        kinds.add("compare")
    if _NEGATED_QUESTION.search(question):
        kinds.add("negated")
    if _SUCCESSOR_QUESTION.search(question):
        kinds.add("successor")
    if SAID_QUESTION.search(question):
        kinds.add("said")
    if _WHO_SAID_QUESTION.search(question):
        kinds.add("who said")
    return kinds


_FRAME = re.compile(r"^(?:who|what|when|how|why|where|which|is|does|can) \S+ \S+", re.I)


def _frame_of(heading: str | None) -> str | None:
    """The first three words of a heading that opens as a question does ("who can have")."""
    found = _FRAME.match(heading or "")
    return " ".join(found.group(0).lower().split()) if found else None


def _frames_in(question: str) -> set[str]:
    """Every run of three words of the question, for matching a heading's frame."""
    words = re.findall(r"[a-z']+", question.lower())
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


_OPENING_NAME = re.compile(r"^([A-Z][a-z]+ [A-Z][a-z]+)\b(?!'s)")


def _better_elsewhere(s: Sentence, sentences: list[Sentence], lead: Sentence) -> bool:
    """A sentence of the lead's section (not the one after it) that shares no word with the
    question gives way when another section holds a closer one that shares more with it than
    the lead does ("how was progress on Putting People First after a year?": the programme's
    funding and the concordat's aims had filled the answer before 'after the first year ...
    good but uneven')."""
    return any(
        o.passage != lead.passage and o.overlap > lead.overlap and o.relevance > s.relevance
        for o in sentences
    )


def _names_again(text: str, lead: str) -> bool:
    """The sentence opens with a person the lead names ("Jeff Jerome described progress as
    ..." after the survey "presented ... by Jeff Jerome"): it goes on with the lead."""
    opening = _OPENING_NAME.match(text)
    return opening is not None and opening.group(1) in lead


def _heading_number(heading: str | None) -> str | None:
    """The numbered part a heading opens with, as a token ("Session 4 - ..." -> "session4")."""
    found = _NUMBERED_HEADING.match(heading or "")
    return f"{found.group(1)}{found.group(2)}".lower() if found else None


def _overlap(
    terms: set[str], q_terms: set[str], weights: Mapping[str, float] | None = None
) -> float:
    """The share of the question's words the sentence contains, each word weighted by how
    much finding it says. `weights` holds every word of the question (`compose` gives a word
    the index never saw the weight of the rarest); without weights every word counts once."""
    if not q_terms:
        return 0.0
    if not weights:
        return len(terms & q_terms) / len(q_terms)
    total = sum(weights[t] for t in q_terms)
    return sum(weights[t] for t in terms & q_terms) / total if total else 0.0
