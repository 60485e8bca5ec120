"""Token-level precision and recall of `redact` on the synthetic cases.

Run `python -m tests.privacy.measure` to print the figures."""

from __future__ import annotations

import difflib
import re
from collections import Counter

from assistant.safety.redaction import PLACEHOLDERS, redact
from tests.privacy.cases import Case, make_cases

_TOKEN = re.compile(r"[\w@.+'’-]+")


def tokens(text: str) -> list[str]:
    stripped = (re.sub(r"['’]s$", "", t.strip(".,()")) for t in _TOKEN.findall(text))
    return [t for t in stripped if t]


def removed_tokens(original: str, redacted: str) -> Counter[str]:
    for placeholder in PLACEHOLDERS.values():  # one opaque token, whatever words it has
        redacted = redacted.replace(placeholder, " \u00a7 ")
    before, after = tokens(original), tokens(redacted)
    removed: Counter[str] = Counter()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, _, _ in matcher.get_opcodes():
        if op in ("delete", "replace"):
            removed.update(before[a1:a2])
    return removed


def measure(cases: list[Case]) -> dict[str, float]:
    tp = fp = fn = 0
    leaked_cases = 0
    by_kind_missed: Counter[str] = Counter()
    for case in cases:
        result = redact(case.text)
        pii_tokens = Counter(t for value in case.pii for t in tokens(value))
        removed = removed_tokens(case.text, result.text)
        hit = sum((removed & pii_tokens).values())
        tp += hit
        fp += sum((removed - pii_tokens).values())
        fn += sum((pii_tokens - removed).values())
        leaked = [v for v in case.pii if v in result.text]
        if leaked:
            leaked_cases += 1
            for value, kind in zip(case.pii, case.kinds + ["surname"], strict=False):
                if value in result.text:
                    by_kind_missed[kind] += 1
    return {
        "snippets": len(cases),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "snippets_with_a_leak": leaked_cases,
        **{f"missed_{k}": v for k, v in sorted(by_kind_missed.items())},
    }


if __name__ == "__main__":
    from tests.privacy.cases import HARD_BENIGN, HARD_CASES

    print("generated:", measure(make_cases()))
    print("hand-written:", measure(HARD_CASES + [Case(t) for t in HARD_BENIGN]))
