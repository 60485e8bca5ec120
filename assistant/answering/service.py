"""The one answering pipeline behind every surface: ask, search, feedback. The CLI, the HTTP
API and Slack translate to and from these calls; no retrieval or answering logic lives
anywhere else."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping

from assistant.activity.log import ActivityLog, ConversationTurn
from assistant.answering.compose import (
    ABSTAIN_MESSAGE,
    NO_DOCUMENTS_MESSAGE,
    OUT_OF_SCOPE_MESSAGE,
    Composition,
    ExtractiveComposer,
    of_year,
)
from assistant.answering.followup import (
    GENERIC,
    Resolution,
    bare_word,
    hinted_topics,
    leans_quietly,
    opens_a_topic,
    points_back,
    resolve,
    subjects_of,
    unknown_words,
    unknown_words_in,
)
from assistant.answering.llm import LLMComposer, LLMError
from assistant.answering.query import (
    condition_terms,
    correct_spelling,
    expand_query,
    mentions,
    names_in,
)
from assistant.answering.retrieval import HybridRetriever, Passage
from assistant.answering.scope import in_scope
from assistant.safety.notices import (
    SAFEGUARDING_NOTICE,
    jurisdiction_notice,
    nations_named,
    review_notice,
    safeguarding_notice,
)
from assistant.safety.redaction import Redaction, for_reading, redact
from assistant.schemas import (
    MARKER,
    AskRequest,
    AskResponse,
    FeedbackRequest,
    FeedbackResponse,
    Filters,
    SearchRequest,
    SearchResponse,
    SearchResult,
    Verified,
)
from assistant.verified.service import VERIFIED_PREFIX, VerifiedAnswers
from ingest.knowledge_index import KnowledgeIndex

logger = logging.getLogger(__name__)

SAFEGUARDING_TOPIC = "safeguarding"
#: What a practitioner must know when someone is at risk, added to the retrieval query.
SAFEGUARDING_QUERY = (
    "someone at risk now: call 999 in an emergency, raise a safeguarding concern, "
    "section 42 enquiry, what the person wants"
)
#: A sentence that gives the route itself: an answer to someone at risk leads with one.
SAFEGUARDING_ROUTE = re.compile(r"\b999\b|safeguarding concern|section 42\b", re.I)
_MONEY = re.compile(
    r"\b(?:money|cash|cards?|bank|pension|benefits|savings|account|finances|"
    r"direct payments?|DPs?|PIN)\b",
    re.I,
)


def at_risk_subjects(text: str) -> list[str]:
    """The subjects a conversation about someone at risk carries on: safeguarding, and
    financial abuse when money is involved."""
    return ["financial abuse", "safeguarding"] if _MONEY.search(text) else ["safeguarding"]


#: A name found in at most this many passages is rare: matched exactly, it is evidence.
RARE_NAME_CHUNKS = 3
TITLE_SEARCHED = 20  # the passages BM25 finds for a title, among which its holders are counted
# a message with this many words the index never saw (and no more known ones) is refused
UNKNOWN_WORDS = 2
# "the 2014 survey", "the survey in 2014"
_SURVEY_OF_YEAR = re.compile(
    r"\b((?:19|20)\d{2})(?:'s)? (?:[\w-]+ )?(?:survey|poll)\b|"
    r"\b(?:survey|poll) (?:of|in|from) ((?:19|20)\d{2})\b",
    re.I,
)
# a thing the index never saw, and passages this far from the message and this short of its
# words: refused (see _stray_thing)
STRAY_SIMILARITY = 0.49
STRAY_COVERAGE = 0.4
# "can the DP pay for it?": the message points back at what the last answer was about
_POINTS_BACK = re.compile(r"\b(?:it|its|that|this|those|these)\b", re.I)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_POINTS_TO_PERSON = re.compile(r"\b(?:her|him|his|she|he|they|them|their)\b", re.I)
# an Act by name ("the Mental Health Act", "Children Act 1989"); "Which Act" names none
_ACT = re.compile(r"\b(?:[A-Z][\w'()-]*\s+(?:(?:and|of|for|the|in|on)\s+)?){1,6}Act\b(?:\s+\d{4})?")
# what a person may claim or owe, named by the word before it ("carer's allowance", "water bill")
_ENTITLEMENT = re.compile(
    r"\b([A-Za-z][\w'’]*)\s+(allowances?|credits?|discounts?|reductions?|badges?|bills?|"
    r"benefits?|rebates?|vouchers?)\b",
    re.I,
)
# an Act named in lower case ("the mental health act"), not the verb ("can her son act as ...")
_LOWER_ACT = re.compile(
    r"\b((?:[a-z]{3,}\s+){2,4})act\b(?!\s+(?:as|for|on|in|with|now|quickly|fast|if|when|to)\b)"
)
_NOT_A_NAME = frozenset({"Which", "What", "Whose", "That", "This", "An", "A", "Does", "Is", "Did"})
_SUBJECT_PRONOUN = re.compile(r"\b(?:she|he|they)\b", re.I)  # "a form she has to send"
# a follow-up that names this many things of its own, none of them in its answer, was
# answered on the earlier turn's words alone
OWN_WORDS_SHOWN = 3
REMEMBERED = 50_000  # words' rarities and texts' queries kept (questions bring new ones)
# the other reading of a message in a conversation is taken when its first sentence says this
# much more of what the message asks (a share of its weighted words; see _better_reading)
READING_MARGIN = 0.25
SIBLING_SECTIONS = 3  # more sections of the best passage's document the answer may draw on
LLM_FALLBACK_NOTICE = (
    "The language model did not answer in time, so this answer quotes the sources directly."
)


class AnsweringService:
    """Answers, searches and takes feedback: nothing else."""

    def __init__(
        self,
        *,
        index: KnowledgeIndex,
        retriever: HybridRetriever,
        composer: ExtractiveComposer,
        activity: ActivityLog,
        llm: LLMComposer | None = None,
        verified: VerifiedAnswers | None = None,
    ) -> None:
        self.activity = activity
        #: trainer-verified answers, given first to the questions they match
        self.verified = verified
        #: Called with every answer and its surface (metrics hook onto this).
        self.observers: list[Callable[[AskResponse, str], None]] = []
        self.index = index
        self.retriever = retriever
        self.composer = composer
        self.llm = llm
        #: each word's rarity, for the term weights it was worked out from
        self._rarities: tuple[Mapping[str, float], dict[str, float | None]] = ({}, {})
        #: each text's retrieval query, for the vocabulary it was corrected against
        self._queries: tuple[frozenset[str], dict[str, str]] = (frozenset(), {})

    # -- answering ------------------------------------------------------------------------
    def ask(
        self, request: AskRequest, *, surface: str = "api", start_conversation: bool = False
    ) -> AskResponse:
        """Answer a question. Personal data is removed first: the redacted text is what is
        retrieved with, stored, and (when configured) sent to the LLM. With a conversation_id
        the question is read with that conversation's earlier turns (a follow-up); an unknown
        or expired id is a NotFoundError unless `start_conversation` (a Slack thread, whose id
        is derived from the thread) starts it."""
        return self.answer_with_passages(
            request, surface=surface, start_conversation=start_conversation
        )[0]

    def answer_with_passages(
        self,
        request: AskRequest,
        *,
        surface: str = "api",
        record: bool = True,
        start_conversation: bool = False,
    ) -> tuple[AskResponse, list[Passage]]:
        """`ask`, also returning the retrieved passages (for evaluation). With `record=False`
        the question is not logged (evaluation runs must not show up as knowledge gaps)."""
        started = time.perf_counter()
        passages: list[Passage] = []
        question_id = uuid.uuid4().hex
        redaction = redact(request.question, public=self._quoted_in_sources)
        message = for_reading(redaction.text)  # what is stored and logged: redaction.text
        conversation_id = request.conversation_id or uuid.uuid4().hex
        turns = (
            self.activity.conversation(conversation_id, must_exist=not start_conversation)
            if request.conversation_id
            else []
        )
        resolution = self._resolve(message, turns)
        verified: Verified | None = None
        still_at_risk = False
        # an unreachable index raises StoreUnavailable; each surface reports it (HTTP: 503)
        if not self.index.records():
            composition = Composition(NO_DOCUMENTS_MESSAGE, False, 0.0, [])
        else:
            query = self._answer_query(resolution.text)
            quiet = self._quietly_leaning(message, resolution, turns)
            # a follow-up is checked for risk with what it carries
            at_risk = safeguarding_notice((quiet or resolution).text) is not None
            still_at_risk = not at_risk and self._still_at_risk(message, turns)
            if at_risk and quiet is not None:
                resolution, query, quiet = quiet, self._answer_query(quiet.text), None
            match = None
            if not at_risk and self.verified is not None:
                match = self.verified.match(resolution.interpreted_as or message)
            if match is not None:  # a trainer answered this question: their answer first
                verified = Verified(
                    answer_id=match.answer.answer_id, verified_on=match.answer.verified_on
                )
                composition = Composition(
                    match.answer.answer, True, min(1.0, match.score), match.answer.citations
                )
            elif still_at_risk:  # from the safeguarding documents; the route was given
                passages, composition = self._safeguarding_answer(
                    self._answer_query(message), request, resolve(message, []), message, False
                )
            elif at_risk:
                passages, composition = self._safeguarding_answer(
                    query, request, resolution, message
                )
                # what comes next in the conversation is asked in that light ("do we have to
                # stop her direct payment?" after her son took over her bank card)
                resolution.subjects[:0] = [
                    s for s in at_risk_subjects(resolution.text) if s not in resolution.subjects
                ]
            else:
                # a quiet follow-up is read with the conversation first (and says so)
                readings = [(resolution, query)]
                if quiet is not None:
                    readings.insert(0, (quiet, self._answer_query(quiet.text)))
                for resolution, reading_query in readings:  # the answer says how it was read
                    prior = self._prior(turns, resolution, message)
                    passages, composition = self._answer(
                        reading_query, resolution, message, request, prior, bool(turns)
                    )
                    if not composition.answered:
                        continue
                    if not self._carried_only(message, resolution, composition):
                        break
                    # answered on the earlier turn's words alone: read the message alone
                    plain = resolve(message, [], self._rarity)
                    readings.append((plain, self._answer_query(plain.text)))
                resolution, passages, composition = self._better_reading(
                    message, turns, request, resolution, passages, composition
                )
            if composition.answered and self.llm is not None and verified is None:
                composition = self._with_llm(
                    resolution.interpreted_as or message, passages, composition
                )
        composition.notices[:0] = self._notices(
            redaction, resolution, composition, still_at_risk=still_at_risk
        )
        scoped = composition.answered or in_scope(
            message, max((p.similarity for p in passages), default=0.0)
        )
        if passages and not scoped:
            composition.answer = OUT_OF_SCOPE_MESSAGE
        cited = list(dict.fromkeys(c.doc_id for c in composition.citations))
        with self.activity.writing() as conn:  # the turn and the question: one commit
            self.activity.add_turn(
                conversation_id,
                redaction.text,
                interpreted_as=resolution.interpreted_as,
                subjects=resolution.subjects + hinted_topics(message, resolution.subjects),
                cited_doc_ids=cited,
                answered=composition.answered,
                new=request.conversation_id is None,
                conn=conn,
            )
            if record:
                self.activity.record_question(
                    question_id,
                    redaction.text,
                    answered=composition.answered,
                    confidence=composition.confidence,
                    cited_doc_ids=cited,
                    surface=surface,
                    in_scope=scoped,
                    cited_chunk_ids=[f"{VERIFIED_PREFIX}{verified.answer_id}"]
                    if verified
                    else composition.cited_chunk_ids,
                    conn=conn,
                )
        logger.info(
            "answered question",
            extra={
                "question_id": question_id,
                "surface": surface,
                "answered": composition.answered,
                "confidence": composition.confidence,
                "citations": len(composition.citations),
                "redacted": sorted(redaction.found),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        response = AskResponse(
            question_id=question_id,
            conversation_id=conversation_id,
            interpreted_as=resolution.interpreted_as,
            verified=verified,
            answer=composition.answer,
            answered=composition.answered,
            confidence=composition.confidence,
            citations=composition.citations,
            notices=composition.notices,
        )
        for observe in self.observers:
            observe(response, surface)
        return response, passages

    def _answer(
        self,
        query: str,
        resolution: Resolution,
        own: str,
        request: AskRequest,
        prior: list[str] | None = None,
        in_conversation: bool = False,
        despite_unknown: bool = False,
    ) -> tuple[list[Passage], Composition]:
        """The ordinary route: retrieve, compose; a rare name matched word for word is strong
        evidence even when the passages are not semantically close. A message of a
        conversation read alone is not rescued by a name: the conversation is tried first
        ("what did the Department of Health say?" after a question on 2009). With
        `despite_unknown`, words the index never saw do not refuse it (the caller checks the
        lead instead: see _better_reading)."""
        passages = self.retriever.retrieve(
            query, request.top_k, request.filters, siblings=SIBLING_SECTIONS, prefer=prior
        )
        composition = self.composer.compose(
            query,
            passages,
            background=" ".join(resolution.carried),
            own=own,
            continuing=prior or (),
            frame=resolution.frame,
        )
        # a name the message carries from the earlier turn counts too ("where does she work?"
        # after a question on what Ali Gardner said)
        rescue = not composition.answered and not (
            in_conversation and resolution.interpreted_as is None
        )
        named = self._naming(resolution.text, passages) if rescue else []
        missed = self._entitlement_missed(own, composition) if composition.answered else None
        if named:
            composition = self.composer.compose(query, named, require_evidence=False)
        elif missed:
            passages = [
                p
                for p in self.retriever.retrieve(missed, request.top_k, request.filters)
                if mentions(p.chunk.text, missed)
            ]
            composition = self.composer.compose(query, passages, require_evidence=False)
        elif composition.answered and (
            (not despite_unknown and self._mostly_unknown(own))
            or (
                not (despite_unknown or in_conversation)
                and self._stray_thing(own, passages, composition)
            )
            or self._unheld_act(own)
            or self._unheld_survey(own)
            or self._unheld_entitlement(own, composition.answer)
        ):
            composition = Composition(ABSTAIN_MESSAGE, False, composition.confidence, [])
        return passages, composition

    def _stray_thing(self, message: str, passages: list[Passage], found: Composition) -> bool:
        """The message names a thing the knowledge base never saw ("her dog", "a wheelchair
        assessment", "a parking permit", "what vaccinations"), and what came back is neither
        close in meaning nor holds much of the message's words: the nearest rule on something
        else. Tuning part: such out-of-scope questions reach 0.45 similarity and 0.38 of their
        words; in-scope ones with a word the index never saw ("after a stroke", "a female PA")
        are at least 0.51 close or hold 0.57 of their words (an acronym: "the SDS options")."""
        top = max((p.similarity for p in passages[:3]), default=0.0)
        if top >= STRAY_SIMILARITY or found.coverage >= STRAY_COVERAGE:
            return False
        return bool(unknown_words(message, self._rarity))

    def _unheld_survey(self, message: str) -> bool:
        """The message asks what a survey of a year found, and no survey in the knowledge base
        is of that year ("what did the 2014 survey say about personal budgets?"): whatever came
        close (the law on personal budgets) is not what a survey found."""
        years = {y for m in _SURVEY_OF_YEAR.finditer(message) for y in m.groups() if y}
        if not years:
            return False
        surveys = [r for r in self.index.records().values() if r.source_type == "survey"]
        return bool(surveys) and not any(of_year(r, years) for r in surveys)

    def _unheld_act(self, message: str) -> bool:
        """The message names an Act no passage holds word for word ("what is the Mental Health
        Act section 136 power?"): whatever came close (the Mental Capacity Act, a lasting
        power of attorney) answers another law."""
        names = [re.sub(r"^(?:The|the)\s+", "", m.group(0)) for m in _ACT.finditer(message)]
        names = [n for n in names if n.split()[0] not in _NOT_A_NAME]
        for found in _LOWER_ACT.finditer(message):  # typed in lower case: "a mental health act
            words = found.group(1).split()  # assessment", two words of its own at least
            while words and self._rarity(words[0]) == 0.0:
                words = words[1:]  # "the", "a", "under"
            if len(words) >= 2:
                names.append(f"{' '.join(words)} act")
        return any(not self._held(name) for name in names)

    def _unheld_entitlement(self, message: str, answer: str) -> bool:
        """The message asks about a benefit, allowance, bill, discount or badge that no passage
        names ("help paying her water bill", "a blue badge", "her housing benefit"), and the
        answer does not even say what kind ("water", "housing"): whatever came close (paying
        a PA, the Employment Allowance) is about something else. "A holiday allowance" is
        not held either, but its answer is about holiday."""
        for match in self._entitlements(message):
            kind, head = match.group(1), match.group(2)
            bare = bare_word(kind)
            singular = f"{kind} {re.sub(r's$', '', head)}"
            if self._held(singular, f"{singular}s"):
                continue
            # a name of two words ("council tax discount") is said whole, not by its last
            # word ("tax" in "can owe tax, National Insurance and holiday pay")
            before = message[: match.start()].split()
            named = f"{before[-1]} {bare}" if before else bare
            if before and self._rarity(before[-1]) and not self._held(named):
                bare = named
            if not mentions(answer, bare):
                return True
        return False

    def _entitlement_missed(self, message: str, composition: Composition) -> str | None:
        """A benefit or allowance the message names and the knowledge base holds ("her
        daughter's Carer's Allowance"), which the answer never mentions: whatever came close
        (employing a relative, the Employment Allowance) answers another question. The name,
        for answering from the passages that hold it; None otherwise."""
        for match in self._entitlements(message):
            name = f"{match.group(1)} {match.group(2)}"
            if self._held(name) and not mentions(composition.answer, name):
                return name
        return None

    def _entitlements(self, message: str) -> Iterator[re.Match[str]]:
        """The benefits, allowances, bills and the like the message names by a word of their
        own ("carer's allowance", "water bill"; not "her benefits", "which benefits")."""
        for match in _ENTITLEMENT.finditer(message):
            kind = match.group(1)
            if kind.lower() not in GENERIC and self._rarity(bare_word(kind)) != 0.0:
                yield match

    def _held(self, name: str, *variants: str) -> bool:
        """Some passage holds `name`, or one of its `variants` ("water bills"), word for word.
        One search serves them all: the index reads a plural as its singular."""
        hits = self.index.lexical_search(name, TITLE_SEARCHED)
        chunks = self.index.store.get_chunks([hit.chunk_id for hit in hits])
        return any(
            mentions(chunk.text, form) for chunk, _ in chunks.values() for form in (name, *variants)
        )

    def _mostly_unknown(self, message: str) -> bool:
        """Two or more of the message's words, and at least half of those that say what it is
        about, are words the knowledge base never saw ("the process for a deprivation of
        liberty safeguards application", "a free bus pass"): whatever passage came close, it
        is about something else. No in-scope question of the tuning part has two."""
        corrected = self._query(message)  # as searched: typos corrected, phrases' words added
        words = [  # the words that say something: not stopwords (rarity 0), not GENERIC
            w
            for w in _WORD.findall(corrected)
            if len(w) >= 3 and w.lower() not in GENERIC and self._rarity(w) != 0.0
        ]
        # a place is not a topic ("in Wales", "lives in Glasgow": the nation's notice says so)
        unknown = [w for w in unknown_words_in(words, self._rarity) if not nations_named(w)]
        return len(unknown) >= UNKNOWN_WORDS and 2 * len(unknown) >= len(words)

    @staticmethod
    def _still_at_risk(message: str, turns: list[ConversationTurn]) -> bool:
        """The last turn described someone at risk and this message asks, of her or him,
        about the money ("do I have to stop her direct payment?" after "I'm worried my client's
        nephew is taking her direct payment money"): it is read with the conversation (the
        risk it carries), though it names its own subject and so reads as a question of its
        own, and the safeguarding notice stays beside the answer."""
        if not turns or not _MONEY.search(message) or not _POINTS_TO_PERSON.search(message):
            return False
        last = turns[-1]
        return safeguarding_notice(last.interpreted_as or last.question) is not None

    def _quietly_leaning(
        self, own: str, resolution: Resolution, turns: list[ConversationTurn]
    ) -> Resolution | None:
        """A message in a conversation that names nothing of its own and says nothing to show
        that it leans on the conversation ("what would make the council say yes?", "from which
        day?") is read with the conversation: that reading, or None. Answered alone, such a
        message often answers some other question (on the tuning conversations, reading it
        alone first and with the conversation only when that found nothing: off-point 0.069;
        with the conversation first: 0.062)."""
        if resolution.interpreted_as is not None or not turns:
            return None
        if not leans_quietly(own, self._rarity):
            return None
        leaning = resolve(own, turns, self._rarity, lean=True)
        return leaning if leaning.interpreted_as is not None else None

    def _carried_only(self, own: str, reading: Resolution, composition: Composition) -> bool:
        """A follow-up answered by what it carried alone: the message names two or more
        things of its own and the answer mentions none of them ("and how do I book annual
        leave on the council's HR system?" after a DBS question was answered with DBS levels).
        It is then read on its own terms."""
        if not reading.carried:
            return False
        # with what the message's phrases also search ("backs it up": legal basis, section)
        searched, answer = map(set, self.composer.tokenize([expand_query(own), composition.answer]))
        generic = self._generic_terms
        return self._says_enough(own) and not (searched - generic) & answer

    def _better_reading(
        self,
        own: str,
        turns: list[ConversationTurn],
        request: AskRequest,
        reading: Resolution,
        passages: list[Passage],
        composition: Composition,
    ) -> tuple[Resolution, list[Passage], Composition]:
        """A message in a conversation can be read alone or with what the conversation
        carries, and the rules above pick one. The other reading is answered too, and taken
        instead when its first sentence says clearly more of what the message itself asks
        (READING_MARGIN of the message's weighted words): "can the PA opt out?" after a
        pension question names a PA, so the rules read it alone and it was answered with DBS
        checks; "who covers her shifts meanwhile?" after sick pay leans on "her", so it was read
        with sick pay and led with its rate."""
        if not turns:
            return reading, passages, composition
        fit = self._fit(own, composition)
        if fit + READING_MARGIN >= 1.0:  # no other reading can say clearly more
            return reading, passages, composition
        # refused alone for a word the knowledge base never saw ("is there a form she has to
        # send to the regulator?" after a pension question): read with the conversation, and
        # taken only when its lead holds a word the message names (see _names_in_lead)
        unknown = not composition.answered and bool(unknown_words(own, self._rarity))
        if reading.interpreted_as is None:
            if unknown and not (points_back(own) or _SUBJECT_PRONOUN.search(own)):
                return reading, passages, composition
            other = resolve(own, turns, self._rarity, lean=True, despite_unknown=unknown)
            if other.interpreted_as is None:
                return reading, passages, composition
        elif (points_back(own) or not self._says_enough(own)) and not opens_a_topic(own):
            return reading, passages, composition  # "who pays for it?" cannot be read alone
        else:
            other = resolve(own, [], self._rarity)
        other_passages, answer = self._answer(
            self._answer_query(other.text),
            other,
            own,
            request,
            self._prior(turns, other, own),
            in_conversation=True,
            despite_unknown=unknown,
        )
        # against no answer, one whose lead holds anything the message asks is better ("who can
        # help with the planning bit?" after the steps of the personalisation process)
        margin = READING_MARGIN if composition.answered else 0.0
        if unknown and not self._names_in_lead(own, answer):
            return reading, passages, composition  # "and a licence for her dog?" after DBS
        if answer.answered and self._fit(own, answer) > fit + margin:
            return other, other_passages, answer
        return reading, passages, composition

    def _names_in_lead(self, own: str, composition: Composition) -> bool:
        """The answer's first sentence holds a word the message names that the knowledge base
        knows and no subject of the conversation's tables says ("regulator"; not "carer" in
        "how do I get a parking permit for her carer?", nor "insurance" in "and what about
        her home contents insurance?")."""
        if not composition.answered:
            return False
        subjects = " ".join(p for _, p in subjects_of(own)).lower()
        named = [
            w
            for w in _WORD.findall(own)
            if len(w) >= 3
            and w.lower() not in GENERIC
            and w.lower() not in subjects
            and self._rarity(w)  # known, and not a stopword (rarity 0)
        ]
        lead = MARKER.split(composition.answer, maxsplit=1)[0]
        words, said = self.composer.tokenize([" ".join(named), lead])
        return bool(set(words) & set(said))

    def _says_enough(self, own: str) -> bool:
        """The message has OWN_WORDS_SHOWN words of its own that say what it is about."""
        words = set(self.composer.tokenize([own])[0]) - self._generic_terms
        return len(words) >= OWN_WORDS_SHOWN

    def _fit(self, own: str, composition: Composition) -> float:
        """How much of what the message asks an answer's first sentence says: the share of
        the message's words (and of what its phrases also search), each weighted by how rare
        it is in the knowledge base, found in that sentence; 0 for no answer."""
        if not composition.answered:
            return 0.0
        lead = MARKER.split(composition.answer, maxsplit=1)[0]
        asked, said = self.composer.tokenize([f"{own} {expand_query(own)}", lead])
        wanted = set(asked) - self._generic_terms
        weights = self.composer.weights_of(wanted) or dict.fromkeys(wanted, 1.0)
        total = sum(weights.values())
        lead_terms = set(said)
        found = sum(w for t, w in weights.items() if t in lead_terms)
        return found / total if total else 0.0

    @functools.cached_property
    def _generic_terms(self) -> set[str]:
        """GENERIC's words as the index tokenises them (the tokenizer never changes)."""
        return set(self.composer.tokenize([" ".join(sorted(GENERIC))])[0])

    @staticmethod
    def _prior(turns: list[ConversationTurn], resolution: Resolution, own: str) -> list[str] | None:
        """A follow-up leans on the last answer: the documents it cited are preferred, unless
        the message names a topic, a year or a nation the last question did not ("what about
        her pension?", "and the 2013 one?" after the 2010 survey): it then points elsewhere."""
        if resolution.interpreted_as is None or not turns:
            return None
        last = turns[-1].interpreted_as or turns[-1].question
        if set(nations_named(own)) - set(nations_named(last)):
            return None
        kinds = ("year", "place") if _POINTS_BACK.search(own) else ("topic", "year", "place")
        named = {s for s in subjects_of(own) if s[0] in kinds}
        if named - set(subjects_of(last)):
            return None  # (a topic named beside "it" or "that" is what it is asked of)
        return turns[-1].cited_doc_ids or None

    def _resolve(self, text: str, turns: list[ConversationTurn]) -> Resolution:
        """A follow-up read with the earlier turns: by rule (followup.py), or, with an LLM
        configured, by the LLM, with the rule's reading as the fallback on error or timeout."""
        by_rule = resolve(text, turns, self._rarity)
        if self.llm is None or by_rule.interpreted_as is None:
            return by_rule
        try:
            rewritten = self.llm.rewrite(text, [t.interpreted_as or t.question for t in turns])
        except LLMError as exc:
            logger.warning("LLM rewrite failed, reading the follow-up by rule: %s", exc)
            return by_rule
        rewritten = redact(rewritten).text  # what the model returns is stored: redact it too
        if rewritten.strip().lower() == text.strip().lower():
            return Resolution(text, None, by_rule.subjects)
        return Resolution(rewritten, rewritten, by_rule.subjects)

    def _rarity(self, word: str) -> float | None:
        """How rare a word is in the knowledge base (BM25 idf of its token; 0 for a word the
        tokenizer drops, such as "what"), None when the index never saw it: which of a
        question's words are worth carrying to a follow-up, and which are new to it."""
        weights = self.composer.term_weights() if self.composer.term_weights else {}
        if self._rarities[0] is not weights or len(self._rarities[1]) > REMEMBERED:
            self._rarities = (weights, {})  # the index changed (its words' weights too), or full
        known = self._rarities[1]
        if word not in known:
            tokens = self.composer.tokenize([word])[0]
            values = [weights.get(t) for t in tokens]
            known[word] = (
                0.0
                if not tokens or not weights
                else None
                if any(v is None for v in values)
                else min(v for v in values if v is not None)
            )
            if known[word] is None and len(word) > 3 and word[-1] in "sS":
                # a plural the stemmer cuts apart ("sleep-ins": "sleep", "in") is its singular
                known[word] = self._rarity(word[:-1])
        return known[word]

    def warm_up(self) -> None:
        """Load the model, the lexical index and the chunks now rather than on the first
        questions."""
        self.index.records()
        self.index.store.preload()
        self.retriever.embedder.embed_query("warm up")

    def _safeguarding_answer(
        self,
        query: str,
        request: AskRequest,
        resolution: Resolution,
        own: str,
        route: bool = True,
    ) -> tuple[list[Passage], Composition]:
        """Someone described at risk now (abuse, neglect, exploitation, money taken, self-harm)
        gets the safeguarding route whatever else the question asks: an answer drawn from the
        safeguarding documents (raise a concern, the section 42 enquiry, what the person
        wants), never "not covered" while such a document exists. Without `route` (the
        conversation gave it already), the answer is drawn from the same documents but leads
        with what the message asks."""
        focus = Filters(topics=[SAFEGUARDING_TOPIC], source_types=request.filters.source_types)
        passages = self.retriever.retrieve(f"{query} {SAFEGUARDING_QUERY}", request.top_k, focus)
        if not passages:  # no safeguarding document indexed: the ordinary route
            passages = self.retriever.retrieve(query, request.top_k, request.filters)
            return passages, self.composer.compose(query, passages)
        return passages, self.composer.compose(
            f"{query} {SAFEGUARDING_QUERY}" if route else query,
            passages,
            require_evidence=False,
            background=" ".join(resolution.carried),
            own=f"{own} {SAFEGUARDING_QUERY}" if route else own,
            lead_with=SAFEGUARDING_ROUTE if route else None,
        )

    def _naming(self, question: str, passages: list[Passage]) -> list[Passage]:
        """The passages that contain, word for word, every name the question hangs on (a case,
        an Act, an acronym, a place or person), when at least one of those names is rare in
        the knowledge base; empty otherwise. A near-domain question ("a dog licence") names
        nothing the knowledge base holds, so it is still refused; nor does a name carry a
        question whose other words the knowledge base has never seen ("the weather in
        Manchester this weekend" is not about Manchester Metropolitan University)."""
        names = names_in(question)
        if not names:
            return []
        named = {w.lower() for name in names for w in re.findall(r"[\w']+", name)}
        others = [w for w in re.findall(r"[A-Za-z][\w']*", question) if w.lower() not in named]
        if unknown_words_in(others, self._rarity):
            return []
        rare = any(self._rare_name(name) for name in names)
        if not rare:
            return []
        return [p for p in passages if all(mentions(p.chunk.text, name) for name in names)]

    def _quoted_in_sources(self, name: str) -> bool:
        """A person's full name that the knowledge base holds word for word ("Sarah Carr",
        quoted in a source): a public figure the question asks about, not a case detail."""
        return self._holding(name) > 0

    def _rare_name(self, name: str) -> bool:
        """At most RARE_NAME_CHUNKS passages hold the name: a word ("Cornwall") is counted by
        BM25, a title of several words ("Making it Real", each word common) word for word
        among the passages BM25 finds for it."""
        if len(name.split()) == 1:
            return len(self.index.lexical_search(name, RARE_NAME_CHUNKS + 1)) <= RARE_NAME_CHUNKS
        return 0 < self._holding(name) <= RARE_NAME_CHUNKS

    def _holding(self, name: str) -> int:
        """How many of the passages BM25 finds for a name of several words hold it word for
        word."""
        hits = self.index.lexical_search(name, TITLE_SEARCHED)
        chunks = self.index.store.get_chunks([hit.chunk_id for hit in hits])
        return sum(1 for chunk, _ in chunks.values() if mentions(chunk.text, name))

    def _notices(
        self,
        redaction: Redaction,
        resolution: Resolution,
        composition: Composition,
        *,
        still_at_risk: bool = False,
    ) -> list[str]:
        """Personal data, safeguarding, other UK nations, stale sources: beside the answer. A
        follow-up is read with what it carries ("what should I do if I suspect it?" after a
        question on financial abuse), and in a conversation about someone at risk (see
        _still_at_risk)."""
        records = self.index.records()  # the cited documents, also for a verified answer
        cited = [(c.n, records[c.doc_id]) for c in composition.citations if c.doc_id in records]
        at_risk = SAFEGUARDING_NOTICE if still_at_risk else None
        found = [
            redaction.notice(),
            safeguarding_notice(resolution.text) or at_risk,
            jurisdiction_notice(resolution.text, [r for _, r in cited]),
            review_notice(cited, dt.date.today()),
        ]
        return [n for n in found if n]

    def feedback(self, request: FeedbackRequest) -> FeedbackResponse:
        comment = redact(request.comment).text if request.comment else None
        feedback_id = self.activity.record_feedback(request.question_id, request.helpful, comment)
        return FeedbackResponse(
            feedback_id=feedback_id, question_id=request.question_id, helpful=request.helpful
        )

    @staticmethod
    def redacted(text: str) -> str:
        """What the surfaces may show back of a question: the redacted text."""
        return redact(text).text

    def add_feedback_comment(self, feedback_id: int, comment: str) -> None:
        self.activity.add_comment(feedback_id, redact(comment).text)

    def _with_llm(
        self, question: str, passages: list[Passage], extractive: Composition
    ) -> Composition:
        if self.llm is None:
            return extractive
        try:
            generated = self.llm.compose(question, passages)
        except LLMError as exc:
            logger.warning("LLM failed, using the extractive answer: %s", exc)
            extractive.notices.append(LLM_FALLBACK_NOTICE)
            return extractive
        if not generated.answered:
            return Composition(ABSTAIN_MESSAGE, False, extractive.confidence, [])
        generated.confidence = extractive.confidence
        return generated

    def _query(self, text: str) -> str:
        """The retrieval query: abbreviations expanded, typos corrected (remembered for the
        index's vocabulary: an answer asks it of the same message more than once)."""
        vocabulary = self.index.vocabulary()
        if self._queries[0] is not vocabulary or len(self._queries[1]) > REMEMBERED:
            self._queries = (vocabulary, {})
        done = self._queries[1]
        if text not in done:
            done[text] = correct_spelling(
                expand_query(text),
                vocabulary,
                self.retriever.embedder.dictionary,
                known=lambda word: bool(self._rarity(word)),
            )
        return done[text]

    def _answer_query(self, text: str) -> str:
        """The retrieval query for an answer: `_query`, plus the words of the condition a rule
        hangs on (a relative living with the person, or elsewhere) and the nation a named
        place is in ("lives in Glasgow": Scotland)."""
        query = self._query(text)
        nations = [n for n in nations_named(query) if n.lower() not in query.lower()]
        return " ".join([query, condition_terms(query), *nations]).strip()

    def search(self, request: SearchRequest) -> SearchResponse:
        query = self._query(request.query)
        passages = self.retriever.retrieve(query, request.top_k, request.filters)
        return SearchResponse(
            results=[
                SearchResult(
                    doc_id=p.record.doc_id,
                    chunk_id=p.chunk.chunk_id,
                    title=p.record.title,
                    source_type=p.record.source_type,
                    section=p.chunk.section,
                    source_url=p.record.source_url,
                    published=p.record.published,
                    text=p.chunk.text,
                    score=round(p.similarity, 4),
                )
                for p in passages
            ]
        )
