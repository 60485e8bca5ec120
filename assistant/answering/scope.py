"""Is a question within Signpost's scope (adult social care practice), whatever the knowledge
base holds? A question the assistant cannot answer is a knowledge gap for trainers only when it
is in scope; a cake recipe is not a gap, and trainers see those apart."""

from __future__ import annotations

import re

# Words that place a question in adult social care practice. A question naming none of them
# is still in scope when the knowledge base holds something close to it (SCOPE_SIMILARITY).
_DOMAIN = re.compile(
    r"\b(?:care(?:r|rs|d)?|caring|council|councils|local authorit(?:y|ies)|social work(?:er|ers)?|"
    r"sw|sws|direct payments?|dps?|personal budgets?|personal assistants?|pas?|"
    r"individual service funds?|isfs?|managed accounts?|support plans?|support planning|"
    r"assessments?|reviews?|eligib(?:le|ility)|safeguard(?:ing)?|abuse|neglect|exploitation|"
    r"capacity|best interests|authorised person|deputy|attorney|lpa|"
    r"clients?|service users?|cared-for|personalisation|self-directed|"
    r"employ(?:er|ers|ee|ing|ment)?|hire|recruit(?:ing|ment)?|payroll|hmrc|paye|"
    r"national insurance|pension|insurance|dbs|right to work|contract|wages?|holiday pay|"
    r"sick pay|redundan(?:t|cy)|disab(?:led|ility|ilities)|dementia|learning disabilit(?:y|ies)|"
    r"mental health|risk|respite|short breaks?|home care|domiciliary|residential|nursing|"
    r"care act|mental capacity act|section \d+|ombudsman|complaints?|advocate|advocacy|"
    r"training|practitioners?|survey)\b",
    re.I,
)
# Below this cosine similarity to the best passage, a question naming no domain word is out of
# scope. Measured on the golden set: out-of-scope questions peak at 0.37, and in-scope ones
# name a domain word or score well above it.
SCOPE_SIMILARITY = 0.40


def in_scope(question: str, best_similarity: float) -> bool:
    return bool(_DOMAIN.search(question)) or best_similarity >= SCOPE_SIMILARITY
