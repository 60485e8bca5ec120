"""A seeded generator of synthetic case-detail snippets with labelled personal data, for
measuring redaction precision and recall. Nothing here is a real person."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST = [
    "Tom",
    "Sarah",
    "Amir",
    "Joan",
    "Priya",
    "David",
    "Beryl",
    "Liam",
    "Fatima",
    "Keith",
    "Olivia",
    "Yusuf",
    "Margaret",
    "Ryan",
    "Chloe",
    "Derek",
    "Zara",
    "Colin",
    "Megan",
    "Ian",
]
# Given names not in the redactor's list: found only through cues (honorific, relation words)
RARE_FIRST = ["Oluwaseun", "Siobhan", "Bronwen", "Tadeusz", "Ngozi", "Eilidh", "Kwame", "Anouk"]
SURNAMES = [
    "Okafor",
    "Hollis",
    "Patel",
    "Kowalski",
    "McBride",
    "Nguyen",
    "Thornton",
    "O'Neill",
    "Achterberg",
    "Mensah",
    "Fairweather",
    "Lindqvist",
    "Osei",
    "Brennan",
    "Dimitriou",
]
HONORIFICS = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
RELATIONS = [
    "son",
    "daughter",
    "niece",
    "nephew",
    "neighbour",
    "brother",
    "sister",
    "client",
    "carer",
    "husband",
    "wife",
    "friend",
]
STREETS = [
    "Mill Lane",
    "Church Road",
    "Station Street",
    "Elm Grove",
    "Park Avenue",
    "Victoria Close",
    "Orchard Way",
    "Kings Drive",
    "Meadow View",
    "High Street",
]
TOWNS = ["York", "Leeds", "Bristol", "Norwich", "Derby", "Croydon"]
POSTCODES = [
    "YO1 7HH",
    "LS6 2AB",
    "BS8 1TH",
    "NR2 4DW",
    "DE22 3NE",
    "CR0 1XZ",
    "SW1A 1AA",
    "M1 2WD",
    "B33 8TH",
    "EH1 1YZ",
]
BENIGN = [
    "Can a direct payment pay for a PA under the Care Act 2014 section 31?",
    "The first review is due within six months and then every 12 months.",
    "From 1 April 2026 the National Living Wage is £12.71 an hour.",
    "Does NHS continuing healthcare affect the personal budget?",
    "The Mental Capacity Act 2005 says to assume capacity.",
    "Is employer's liability insurance of £5 million needed?",
    "Paragraph 14.13 lists the six safeguarding principles.",
    "What did the 2013 Community Care survey say about training?",
    "She wants to pay her son as her PA. Is that allowed?",
    "The council wants to move him to a managed account.",
    "Regulation 7 covers reviews of direct payments.",
    "They live in the same household in North Yorkshire.",
]


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            raw = "".join(map(str, digits)) + str(check)
            style = rng.choice(["spaced", "plain", "dashed"])
            if style == "spaced":
                return f"{raw[:3]} {raw[3:6]} {raw[6:]}"
            if style == "dashed":
                return f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"
            return raw


def ni_number(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    digits = "".join(str(rng.randint(0, 9)) for _ in range(6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{first}{second}{digits}{suffix}"


def phone(rng: random.Random) -> str:
    return rng.choice(
        [
            f"01632 {rng.randint(960000, 960999)}",
            f"07700 {rng.randint(900000, 900999)}",
            f"07700{rng.randint(900000, 900999)}",
            f"+44 7700 {rng.randint(900000, 900999)}",
            f"020 7946 {rng.randint(1000, 1999)}",
            f"(0113) 496 {rng.randint(1000, 1999)}",
        ]
    )


def dob(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1930, 2005)
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return rng.choice(
        [
            f"{day:02d}/{month:02d}/{year}",
            f"{day}.{month}.{year}",
            f"{day} {months[month - 1]} {year}",
            f"{day}th {months[month - 1][:3]} {year}",
            f"{year}-{month:02d}-{day:02d}",
        ]
    )


@dataclass
class Case:
    text: str
    pii: list[str] = field(default_factory=list)  # the personal data strings in `text`
    kinds: list[str] = field(default_factory=list)


def make_cases(n: int = 240, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for i in range(n):
        first = rng.choice(RARE_FIRST if i % 5 == 0 else FIRST)
        surname = rng.choice(SURNAMES)
        relation = rng.choice(RELATIONS)
        values = {
            "hon": surname,
            "honfull": f"{first} {surname}",
            "rel": first,
            "nhs": nhs_number(rng),
            "ni": ni_number(rng),
            "phone": phone(rng),
            "email": f"{first.lower()}.{surname.lower()}@example.{rng.choice(['com', 'org.uk'])}",
            "dob": dob(rng),
            "address": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            "postcode": rng.choice(POSTCODES),
        }
        templates = [
            (
                "{title} {honfull} (NHS {nhs}) wants to pay her {relation} as a PA. Can she?",
                ["honfull", "nhs"],
            ),
            (
                "My client {rel} lives at {address}, {town} {postcode} and needs a PA.",
                ["rel", "address", "postcode"],
            ),
            (
                "{title} {hon}, born {dob}, NI {ni}, asked about direct payments.",
                ["hon", "dob", "ni"],
            ),
            (
                "Call her {relation} on {phone} or email {email} about the review.",
                ["phone", "email"],
            ),
            (
                "Service user {rel} (DOB {dob}) is at {address}. Phone {phone}.",
                ["rel", "dob", "address", "phone"],
            ),
            ("Her {relation} {rel} {surname} wants to be paid. NHS number {nhs}.", ["rel", "nhs"]),
            (
                "{title} {honfull} of {address}, {postcode} has NI number {ni}.",
                ["honfull", "address", "postcode", "ni"],
            ),
            ("Can {title} {hon} pay his {relation}? Contact {email}.", ["hon", "email"]),
        ]
        template, kinds = rng.choice(templates)
        text = template.format(
            relation=relation,
            town=rng.choice(TOWNS),
            surname=surname,
            title=rng.choice(HONORIFICS),
            **values,
        )
        pii = [values[k] for k in kinds]
        if "{surname}" in template:
            pii.append(surname)
        if rng.random() < 0.5:  # realistic surrounding text that must survive
            text = f"{text} {rng.choice(BENIGN)}"
        cases.append(Case(text, pii, kinds))
    for benign in BENIGN:  # snippets with nothing personal in them
        cases.append(Case(benign))
    return cases


# Hand-written, harder cases: unusual formats, names without cues, lower case, run-on text.
HARD_CASES = [
    Case("mrs okafor wants to pay her son, can she", ["okafor"], ["name"]),
    Case("Kwame is 84 and wants his grandson as his PA", ["Kwame"], ["name"]),
    Case("my client (Bronwen Thomas, 63) lives with her daughter", ["Bronwen Thomas"], ["name"]),
    Case("NHS no: 4857773457 - can he get a DP?", ["4857773457"], ["nhs"]),
    Case("ni no ab 12 34 56 c, direct payment question", ["ab 12 34 56 c"], ["ni"]),
    Case("Ring me on 07700-900-123 about Mr Patel", ["07700-900-123", "Patel"], ["phone", "name"]),
    Case("email: T.Okafor@nhs.net re his PA", ["T.Okafor@nhs.net"], ["email"]),
    Case("d.o.b. 2/7/50, wants a PA", ["2/7/50"], ["dob"]),
    Case("born on the 2nd of July 1950 in Leeds", ["2nd of July 1950"], ["dob"]),
    Case(
        "Flat 4, 19 Queen's Road, Bath BA1 2AB",
        ["4, 19 Queen's Road", "BA1 2AB"],
        ["address", "postcode"],
    ),
    Case(
        "She lives at 7 Acacia Avenue and her son Dev visits",
        ["7 Acacia Avenue", "Dev"],
        ["address", "name"],
    ),
    Case("Siobhan's daughter wants to be her PA", ["Siobhan"], ["name"]),
    Case("Can Dr. Ngozi Mensah's PA drive her car?", ["Ngozi Mensah"], ["name"]),
    Case("my service user, Mr. O'Neill, is 90", ["O'Neill"], ["name"]),
    Case("tel +44 (0)20 7946 0123 ext 4", ["+44 (0)20 7946 0123"], ["phone"]),
    Case("postcode is le1 7rh", ["le1 7rh"], ["postcode"]),
    Case("His NHS number is 943 476 5919 and he is 70", ["943 476 5919"], ["nhs"]),
    Case("Date of birth: 14 Feb 1961", ["14 Feb 1961"], ["dob"]),
    Case("Anouk (service user) asked if her partner can be paid", ["Anouk"], ["name"]),
    Case("I support a man called Tadeusz who wants a PA", ["Tadeusz"], ["name"]),
]
HARD_BENIGN = [
    "Is the Care Act 2014 section 31 about direct payments?",
    "What changed on 1 April 2015 for carers?",
    "Can a PA be paid £12.71 an hour from April 2026?",
    "Mr and Mrs are honorifics; what should a support plan call people?",
    "Does the council review a direct payment within 6 months?",
    "Is it 999 or 111 for a mental health crisis?",
    "What is the Mental Capacity Act 2005 test?",
    "Can my client use her direct payment for driving lessons?",
    "Which Skills for Care funding pays for PA training?",
    "How does the Pensions Regulator check compliance?",
]
