"""Demo content of the common agenda: an early-literacy coalition in a mid-sized county.

Used by `seed_demo` (backbone/demo.py). The small size is what a newcomer explores; the large
size is the benchmark tenant (many workgroups, partners and people), built with bulk inserts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from initiatives.models import (
    Gender,
    Language,
    PartnerOrganization,
    Person,
    RaceEthnicity,
    Seat,
    Sector,
    SizeBand,
    Table,
)
from initiatives.services import (
    Answer,
    criterion_create,
    ground_rule_create,
    initiative_create,
    result_create,
    screening_decide,
    screening_record,
    strategy_create,
    workgroup_create,
)

if TYPE_CHECKING:
    from backbone.demo import DemoContext

NORTH_STAR = "By 2030, 80% of Lakeshore County third graders read at grade level."

AGENDA = [
    (
        "Children enter kindergarten ready to learn.",
        [
            ("Expand high-quality pre-K seats", "Add 600 seats in neighborhoods with none."),
            ("Developmental screening by age 3", "Screen every child through clinics and WIC."),
        ],
    ),
    (
        "Children attend school every day.",
        [
            ("Reduce chronic absence in K-3", "Family outreach in the first two weeks of absence."),
            ("Safe routes and transportation", "Walking school buses and bus-pass fixes."),
        ],
    ),
    (
        "Children read at grade level by the end of third grade.",
        [
            ("Summer reading that stops the slide", "Library and camp partners, 6 weeks."),
            ("Tutoring in grades 1-3", "Trained volunteer tutors twice a week."),
            ("Books in every home", "Free books at clinics, laundromats and barbershops."),
        ],
    ),
    (
        "Families are partners in their children's learning.",
        [
            ("Parent reading circles", "Led by parents, in English and Spanish."),
            ("Family-school communication in home languages", "Translate and interpret."),
        ],
    ),
]

GROUND_RULES = [
    "We start and end on time, and we read the materials before the meeting.",
    "We say what we will do, by when — and we report back at the next meeting.",
    "We speak from our own experience and let residents speak first on what affects them.",
    "We ask for help early; needing help is part of the work, not a failure.",
    "We disagree with ideas, not people, and we take disagreements to the table, not the hall.",
]

FILTER_CRITERIA = [
    "Does it move one of our four results?",
    "Does the data show it addresses a disparity we have named?",
    "Is a partner ready to lead it, with a named person?",
    "Can we do it without pulling resources from an existing strategy?",
    "Did residents or families help shape it?",
]

SCREENINGS = [
    ("Back-to-school backpack giveaway", "St. Mark's Church", [True, False, True, True, False]),
    ("Summer reading at two more library branches", "Lakeshore Public Library", [True] * 5),
    ("Citywide literacy 5K run", "Rotary Club", [False, False, True, False, False]),
]

WORKGROUPS = [
    ("Early Learning", "Ready for kindergarten: pre-K seats and early screening.", [0, 1]),
    ("Attendance Works", "Every child in school every day, K-3.", [2, 3]),
    ("Reading Success", "Summer reading, tutoring and books at home.", [4, 5, 6]),
    ("Family Voice", "Families as partners, in their own languages.", [7, 8]),
]

# (name, sector, size band, community-led)
PARTNERS = [
    ("Lakeshore Unified School District", Sector.SCHOOL, SizeBand.OVER_25M, False),
    ("Northside Elementary", Sector.SCHOOL, SizeBand.FROM_5M, False),
    ("Eastgate Elementary", Sector.SCHOOL, SizeBand.FROM_5M, False),
    ("Riverbend Charter Academy", Sector.SCHOOL, SizeBand.FROM_1M, False),
    ("Lakeshore Public Library", Sector.PUBLIC_AGENCY, SizeBand.FROM_5M, False),
    ("County Department of Health", Sector.PUBLIC_AGENCY, SizeBand.OVER_25M, False),
    ("County Human Services", Sector.PUBLIC_AGENCY, SizeBand.OVER_25M, False),
    ("City Parks and Recreation", Sector.PUBLIC_AGENCY, SizeBand.FROM_5M, False),
    ("Head Start of Lakeshore", Sector.NONPROFIT, SizeBand.FROM_5M, False),
    ("YMCA of Lakeshore", Sector.NONPROFIT, SizeBand.FROM_5M, False),
    ("Boys & Girls Club", Sector.NONPROFIT, SizeBand.FROM_1M, False),
    ("Big Brothers Big Sisters", Sector.NONPROFIT, SizeBand.FROM_1M, False),
    ("Literacy Lakeshore", Sector.NONPROFIT, SizeBand.FROM_250K, False),
    ("Reach Out and Read", Sector.NONPROFIT, SizeBand.FROM_250K, False),
    ("Family Resource Center", Sector.NONPROFIT, SizeBand.FROM_1M, True),
    ("Centro Hispano", Sector.NONPROFIT, SizeBand.FROM_1M, True),
    ("Hmong American Friendship Association", Sector.NONPROFIT, SizeBand.FROM_250K, True),
    ("Urban League of Lakeshore", Sector.NONPROFIT, SizeBand.FROM_5M, False),
    ("Lakeshore Community Health Center", Sector.NONPROFIT, SizeBand.FROM_5M, False),
    ("United Way of Lakeshore", Sector.FUNDER, SizeBand.OVER_25M, False),
    ("Lakeshore Community Foundation", Sector.FUNDER, SizeBand.OVER_25M, False),
    ("Greater Lakes Family Fund", Sector.FUNDER, SizeBand.FROM_5M, False),
    ("Lakeshore Technical College", Sector.HIGHER_ED, SizeBand.OVER_25M, False),
    ("State University — School of Education", Sector.HIGHER_ED, SizeBand.OVER_25M, False),
    ("Harbor Bank", Sector.BUSINESS, SizeBand.OVER_25M, False),
    ("Lakeshore Chamber of Commerce", Sector.BUSINESS, SizeBand.FROM_1M, False),
    ("Great Lakes Grocers", Sector.BUSINESS, SizeBand.FROM_5M, False),
    ("St. Mark's Church", Sector.FAITH, SizeBand.UNDER_250K, True),
    ("New Hope Baptist Church", Sector.FAITH, SizeBand.UNDER_250K, True),
    ("Masjid Al-Noor", Sector.FAITH, SizeBand.UNDER_250K, True),
    ("Parents United for Reading", Sector.GRASSROOTS, SizeBand.UNDER_250K, True),
    ("Eastside Moms Network", Sector.GRASSROOTS, SizeBand.UNDER_250K, True),
    ("Barbershop Books Lakeshore", Sector.GRASSROOTS, SizeBand.UNDER_250K, True),
    ("Youth Voices Collective", Sector.GRASSROOTS, SizeBand.UNDER_250K, True),
    ("Southside Neighborhood Association", Sector.RESIDENT_ASSOCIATION, SizeBand.UNDER_250K, True),
    ("Riverview Tenants Union", Sector.RESIDENT_ASSOCIATION, SizeBand.UNDER_250K, True),
    ("Northside Block Club", Sector.RESIDENT_ASSOCIATION, SizeBand.UNDER_250K, True),
    ("Lakeshore Pediatrics", Sector.BUSINESS, SizeBand.FROM_1M, False),
    ("Lakeshore Housing Authority", Sector.PUBLIC_AGENCY, SizeBand.OVER_25M, False),
    ("Friends of the Library", Sector.OTHER, SizeBand.UNDER_250K, True),
]

FIRST = [
    "Maria", "James", "Keisha", "Tran", "Daniel", "Priya", "Linda", "Marcus", "Ana", "Rosa",
    "Tom", "Aisha", "Greg", "Sofia", "Kou", "Beth", "Luis", "Grace", "Andre", "Mei", "Carlos",
    "Fatima", "David", "Yolanda", "Samuel", "Nadia", "Victor", "Hannah", "Omar", "Lupe",
    "Terrence", "Julia", "Mai", "Robert", "Guadalupe", "Ebony", "Peter", "Leticia", "Ahmed",
    "Chloe",
]  # fmt: skip
LAST = [
    "Alvarez", "Whitfield", "Brown", "Nguyen", "Okafor", "Raman", "Schultz", "Hill", "Castillo",
    "Delgado", "Becker", "Mohamed", "Lindqvist", "Ramirez", "Vang", "Kowalski", "Hernandez",
    "Johnson", "Washington", "Chen", "Morales", "Hassan", "Miller", "Jackson", "Peña", "Ali",
    "Thao", "Garcia", "Williams", "Lopez",
]  # fmt: skip
TITLES = [
    "Executive Director", "Program Manager", "Principal", "Reading Specialist",
    "Family Engagement Coordinator", "Community Organizer", "Pastor", "Data Analyst",
    "Program Officer", "Librarian", "Pediatrician", "Parent Leader", "Volunteer Coordinator",
]  # fmt: skip

PERSONA_SEATS = {
    # persona role -> (table index: -1 = steering committee, seat role)
    "steering": (-1, Seat.Role.CHAIR),
    "cochair": (0, Seat.Role.CO_CHAIR),
    "partner": (0, Seat.Role.MEMBER),
}


def build_common_agenda(ctx: DemoContext) -> None:
    org = ctx.organization
    rng = ctx.rng
    size = ctx.size
    initiative = initiative_create(
        organization=org,
        name="Lakeshore Reads",
        north_star=NORTH_STAR,
        focus_population="Children from birth to age 9 and their families in Lakeshore County",
        geography="Lakeshore County, with a focus on the Northside and Eastgate neighborhoods",
    )
    strategies = []
    for statement, items in AGENDA:
        result = result_create(initiative=initiative, statement=statement)
        for title, description in items:
            strategies.append(strategy_create(result=result, title=title, description=description))
    for text in GROUND_RULES:
        ground_rule_create(initiative=initiative, text=text)
    criteria = [criterion_create(initiative=initiative, question=q) for q in FILTER_CRITERIA]
    staff = ctx.users["staff"]
    for title, proposer, answers in SCREENINGS:
        screening = screening_record(
            initiative=initiative,
            title=title,
            proposed_by=proposer,
            recorded_by=staff,
            answers=[Answer(c, a) for c, a in zip(criteria, answers, strict=True)],
        )
        if screening.passes_all:
            screening_decide(screening=screening, decision="adopted", note="Starts next summer.")
        else:
            screening_decide(
                screening=screening,
                decision="declined",
                note="A good idea, but not one that moves our results; we thanked the partner.",
            )

    # Partner organizations: the named ones, then generated ones for the large tenant.
    partner_rows = list(PARTNERS)
    for n in range(len(partner_rows), size.partner_organizations):
        sector = rng.choice(list(Sector))
        partner_rows.append(
            (
                f"Partner organization {n + 1}",
                sector,
                rng.choice(list(SizeBand)),
                rng.random() < 0.3,
            )
        )
    partners = PartnerOrganization.objects.bulk_create(
        PartnerOrganization(
            organization=org, name=name, sector=sector, size_band=band, community_led=led
        )
        for name, sector, band, led in partner_rows[: size.partner_organizations]
    )

    # People: the demo logins first (linked to their accounts), then everyone else.
    people: list[Person] = []
    persona_people: dict[str, Person] = {}
    for key in ("staff", "steering", "cochair", "partner"):
        user = ctx.users.get(key)
        if user is None:
            continue
        person = Person(
            organization=org,
            full_name=user.full_name,
            email=user.email,
            user=user,
            partner_organization=None if key == "staff" else rng.choice(partners[:20]),
            title="Backbone Director" if key == "staff" else rng.choice(TITLES),
        )
        persona_people[key] = person
        people.append(person)
    used = {p.email for p in people}
    # Roughly the make-up of a Midwestern county's families with young children.
    races, race_weights = zip(
        *[
            (RaceEthnicity.WHITE, 36),
            (RaceEthnicity.BLACK, 30),
            (RaceEthnicity.HISPANIC, 20),
            (RaceEthnicity.ASIAN, 9),
            (RaceEthnicity.MULTIRACIAL, 4),
            (RaceEthnicity.AMERICAN_INDIAN, 1),
        ],
        strict=True,
    )
    genders = list(Gender)
    n = 0
    while len(people) < size.people:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        n += 1
        email = f"{first}.{last}.{n}@{org.slug}.example.org".lower().replace("ñ", "n")
        if email in used:
            continue
        used.add(email)
        community = rng.random() < 0.22
        answered = rng.random() < 0.7
        people.append(
            Person(
                organization=org,
                full_name=f"{first} {last}",
                email=email,
                phone=f"(414) 555-{rng.randint(1000, 9999)}",
                partner_organization=None if community else rng.choice(partners),
                title="" if community else rng.choice(TITLES),
                preferred_language=Language.SPANISH if rng.random() < 0.18 else Language.ENGLISH,
                is_community_member=community,
                race_ethnicity=rng.choices(races, race_weights)[0] if answered else "",
                gender=rng.choice(genders[:2]) if answered and rng.random() < 0.95 else "",
            )
        )
    people = Person.objects.bulk_create(people)

    # Tables: the steering committee (created with the initiative) and the workgroups.
    steering = Table.objects.get(initiative=initiative, kind=Table.Kind.STEERING)
    workgroups = [
        workgroup_create(
            initiative=initiative,
            name=name,
            purpose=purpose,
            strategies=[strategies[i] for i in strategy_indexes],
        )
        for name, purpose, strategy_indexes in WORKGROUPS
    ]
    for n in range(len(workgroups), size.workgroups):
        workgroups.append(
            workgroup_create(
                initiative=initiative,
                name=f"Workgroup {n + 1}",
                purpose="Carries one strategy of the common agenda.",
                strategies=[strategies[n % len(strategies)]],
            )
        )
    seats: list[Seat] = []
    taken: set[tuple[int, int]] = set()

    def sit(table: Table, person: Person, role: str) -> None:
        if (table.pk, person.pk) not in taken:
            taken.add((table.pk, person.pk))
            seats.append(Seat(organization=org, table=table, person=person, role=role))

    for key, (index, role) in PERSONA_SEATS.items():
        if key in persona_people:
            sit(steering if index < 0 else workgroups[index], persona_people[key], role)
    others = [p for p in people if p.pk not in {pp.pk for pp in persona_people.values()}]
    rng.shuffle(others)
    for person in others[:11]:
        sit(steering, person, Seat.Role.MEMBER)
    per_table = max(8, min(18, len(others) // max(1, len(workgroups))))
    professionals = [p for p in others if not p.is_community_member]
    for i, table in enumerate(workgroups):
        # One workgroup is all professionals, so "who is at the table" has something to flag.
        members = rng.sample(professionals if i == 1 else others, per_table)
        for j, person in enumerate(members):
            lead = j < 2 and not (i == 0 and "cochair" in persona_people and j == 1)
            sit(table, person, Seat.Role.CO_CHAIR if lead else Seat.Role.MEMBER)
    Seat.objects.bulk_create(seats)
