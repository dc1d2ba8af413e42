"""Generated, realistic French demo data: fictional people only, reproducible from a seed.

The generator knows nothing of any particular programme: it reads each enabled programme's
workflow (phases of its states), prescribers, exit destinations and field declarations.
Then each plugin adds its own data (dwellings, houses, desk sessions…) through the
``tremplin_demo_data`` hook, each loader in a savepoint so a failing one is rolled back alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any, cast

from tremplin.db import transaction
from tremplin.models import (
    Appointment,
    Enrolment,
    Household,
    Membership,
    PartnerOrganisation,
    Person,
    TimelineEvent,
    User,
)
from tremplin.plugins import PluginHost
from tremplin.services.accounts import DEMO_PASSWORD, hash_password
from tremplin.services.clock import PARIS, now, today
from tremplin.text import normalise
from tremplin.types import DemoContext, DemoData, DemoEnrolment, Field

log = logging.getLogger("tremplin.demo")

DEMO_USERS = [
    ("admin@demo.tremplin.fr", "Agnès Administratrice", "admin"),
    ("cheffe@demo.tremplin.fr", "Claire Cheffe de service", "head_of_service"),
    ("ts@demo.tremplin.fr", "Thomas Travailleur social", "social_worker"),
    ("ts2@demo.tremplin.fr", "Samia Travailleuse sociale", "social_worker"),
    ("gestion@demo.tremplin.fr", "Gérard Gestionnaire locatif", "rental_manager"),
    ("technicien@demo.tremplin.fr", "Maëlle Maîtresse de maison", "technician"),
    ("mission-locale@demo.tremplin.fr", "Mila Conseillère Mission Locale", "partner"),
    ("sos@demo.tremplin.fr", "Sonia Intervenante SOS Violences Conjugales", "partner"),
]
#: The partner organisation of each demo partner account: name and kind.
DEMO_PARTNERS = {
    "mission-locale@demo.tremplin.fr": ("Mission Locale Jeunes (démo)", "mission_locale"),
    "sos@demo.tremplin.fr": ("SOS Violences Conjugales (démo)", "sos_vc"),
}

FIRST_F = [
    "Éléonore",
    "Fatoumata",
    "Chloé",
    "Inès",
    "Manon",
    "Aïcha",
    "Léa",
    "Océane",
    "Mélissa",
    "Amina",
    "Sarah",
    "Julie",
    "Nadia",
    "Camille",
    "Zoé",
    "Yasmine",
    "Clémence",
    "Anaïs",
    "Maryam",
    "Lucie",
]
FIRST_M = [
    "Lucas",
    "Mamadou",
    "Enzo",
    "Karim",
    "Théo",
    "Hugo",
    "Youssef",
    "Noah",
    "Kévin",
    "Mathis",
    "Ibrahim",
    "Jérôme",
    "Bastien",
    "Omar",
    "Rémi",
    "Loïc",
    "Adama",
    "Florian",
    "Nicolas",
    "Sékou",
]
LAST = [
    "Martin",
    "Bernard",
    "Diallo",
    "Moreau",
    "Lefèvre",
    "Traoré",
    "Garnier",
    "Roux",
    "Benali",
    "Fournier",
    "Girard",
    "Mercier",
    "Koné",
    "Blanc",
    "Guérin",
    "Muller",
    "Haddad",
    "Chevalier",
    "Faure",
    "Rousseau",
    "Camara",
    "Perrin",
    "Nguyen",
    "Lemoine",
    "Boyer",
    "Dupré",
    "Aubert",
    "Leclerc",
    "Meyer",
    "Hoarau",
]
STREETS = [
    "rue Jean Jaurès",
    "avenue Carnot",
    "rue de la République",
    "chemin des Vignes",
    "rue Victor Hugo",
    "place du Marché",
    "rue Pasteur",
    "boulevard Gambetta",
]
TOWNS = [
    "30100 Alès",
    "42000 Saint-Étienne",
    "29900 Concarneau",
    "59160 Lomme",
    "42400 Saint-Chamond",
]
NOTES = [
    "Point sur le budget du mois, factures d'énergie réglées.",
    "Visite du logement : bon entretien, quelques démarches CAF à relancer.",
    "Accompagnement à la préfecture pour le renouvellement du titre de séjour.",
    "Rendez-vous avec la conseillère Mission Locale, projet de formation confirmé.",
    "Demande d'aide au logement déposée, attestation d'assurance transmise.",
    "Échange téléphonique : inquiétude sur le paiement du loyer, plan d'apurement proposé.",
    "Recherche de logement autonome : dossier de demande de logement social mis à jour.",
]

COMPOSITION_SHAPES = {
    "isolated_man": ("M", 0, 0),
    "isolated_woman": ("F", 0, 0),
    "single_father": ("M", 0, 2),
    "single_mother": ("F", 0, 3),
    "couple": ("M", 1, 0),
    "couple_children": ("M", 1, 3),
}


#: Programmes for young people: the reference person's age range (IML jeunes: 18 to 25 at
#: admission; CLLAJ: under 30). The demo test checks the data against the plugins' own rules.
YOUNG_AGES = {
    "iml_youth": (18, 25),
    "cllaj_bail": (18, 29),
    "cllaj_jappart": (18, 29),
    "cllaj_glissant": (18, 29),
}


def _consistent(
    host: PluginHost, programme: str, data: dict[str, Any], referral: dt.date
) -> dict[str, Any]:
    """Random programme data made to pass the programme's own checks: a period's end after
    its start (CEJ: twelve months), a suspension with its date; a field still refused by a
    ``tremplin_enrolment_checks`` rule is left out."""
    from tremplin.dates import add_months
    from tremplin.services.enrolments import cross_field_errors

    for name in list(data):
        if name.endswith("_end") and data.get(name[: -len("end")] + "start"):
            start = dt.date.fromisoformat(data[name[: -len("end")] + "start"])
            data[name] = add_months(start, 12).isoformat()
    if data.get("cej_suspended") and not data.get("cej_suspended_on"):
        data["cej_suspended"] = False
    fields = {f.name: f for f in host.fields(programme)}
    for _ in range(3):
        errors = cross_field_errors(host, programme, {**data, "referral_date": str(referral)})
        if not errors:
            break
        for name in errors:
            field = fields.get(name)
            if name in data or field is None:
                data.pop(name, None)  # an inconsistent value: left out
            elif field.kind == "date":  # a date the rule asks for
                data[name] = (referral + dt.timedelta(days=10)).isoformat()
            elif field.kind == "choice" and field.choices:
                data[name] = field.choices[0].value
            elif field.kind in ("text", "textarea"):
                data[name] = "Mme DURAND (démo)"
    return data


def _birth(rng: random.Random, on: dt.date, low: int, high: int) -> dt.date:
    return on - dt.timedelta(days=rng.randint(low * 365 + 10, high * 365 - 10))


def _fake(field: Field, rng: random.Random, referral: dt.date) -> Any:
    if field.kind == "date":
        return (referral + dt.timedelta(days=rng.randint(1, 20))).isoformat()
    if field.kind == "choice" and field.choices:
        return rng.choice(field.choices).value
    if field.kind == "multichoice" and field.choices:
        return [rng.choice(field.choices).value]
    if field.kind == "bool":
        return rng.random() < 0.3
    if field.kind in ("int", "money"):
        return rng.randint(field.minimum or 0, field.maximum or 50) if field.kind == "int" else 0
    return None


async def _users() -> dict[str, int]:
    password_hash = hash_password(DEMO_PASSWORD)
    organisations = {}
    for email, (org_name, kind) in DEMO_PARTNERS.items():
        row = await PartnerOrganisation.insert(
            PartnerOrganisation(name=org_name, kind=kind, created_at=now())
        ).returning(PartnerOrganisation.id)
        organisations[email] = row[0]["id"]
    ids = {}
    for email, name, role in DEMO_USERS:
        row = await User.insert(
            User(
                email=email,
                full_name=name,
                role=role,
                password_hash=password_hash,
                partner=organisations.get(email),
                created_at=now(),
            )
        ).returning(User.id)
        ids[email] = row[0]["id"]
    return ids


async def load_demo(host: PluginHost, households: int = 60, seed: int = 2024) -> str:
    """Create the demo accounts and ``households`` households spread over the enabled
    programmes, with members, enrolments at every stage and a few timeline events."""
    rng = random.Random(seed)
    on = today()
    current = now()
    programmes = host.programme_keys
    async with transaction() as tx:
        users = await _users()
        workers = [users["ts@demo.tremplin.fr"], users["ts2@demo.tremplin.fr"]]
        counts = {"households": 0, "people": 0, "enrolments": 0, "events": 0}
        for i in range(households):
            programme_key = programmes[i % len(programmes)] if programmes else ""
            young = programme_key in YOUNG_AGES
            # Youth programmes: a recent file, so that the age fits from orientation to today.
            since = on - dt.timedelta(days=rng.randint(40, 330) if young else rng.randint(30, 900))
            low, high = YOUNG_AGES.get(programme_key, (18, 64))
            shapes = list(COMPOSITION_SHAPES)
            if programme_key in YOUNG_AGES:
                shapes = ["isolated_man", "isolated_woman", "couple", "single_mother"]
            composition = rng.choice(shapes)
            sex, partners, max_children = COMPOSITION_SHAPES[composition]
            if programme_key in YOUNG_AGES:
                max_children = min(max_children, 1)
            last = rng.choice(LAST)
            first = rng.choice(FIRST_M if sex == "M" else FIRST_F)
            # The reference person's age fits the programme today and on every date of the
            # file (youth programmes: a year of margin each side, files under a year old).
            people: list[tuple[str, str, dt.date, str, str]] = [
                (
                    first,
                    last,
                    _birth(rng, on, low + 1 if young else low, high - 1 if young else high),
                    sex,
                    "reference",
                )
            ]
            if partners:
                people.append(
                    (
                        rng.choice(FIRST_F),
                        rng.choice([last, rng.choice(LAST)]),
                        _birth(rng, on, 18, 60),
                        "F",
                        "spouse",
                    )
                )
            for _ in range(rng.randint(1, max_children) if max_children else 0):
                child_sex = rng.choice("FM")
                people.append(
                    (
                        rng.choice(FIRST_F if child_sex == "F" else FIRST_M),
                        last,
                        _birth(rng, on, 0, 17),
                        child_sex,
                        "child",
                    )
                )
            name = f"{last.upper()} {first}"
            row = await Household.insert(
                Household(
                    reference=f"tmp-{i}",
                    name=name,
                    composition=composition,
                    resources=[rng.choice(["rsa", "salary", "unemployment", "aah", "cej", "none"])],
                    situation_before_entry=rng.choice(
                        ["emergency_shelter", "chrs", "asylum", "third_party", "family", "street"]
                    ),
                    address=f"{rng.randint(1, 80)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                    phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    created_at=current,
                    updated_at=current,
                    created_by=rng.choice(workers),
                )
            ).returning(Household.id)
            hid = row[0]["id"]
            reference = f"M-{hid:06d}"
            for first_name, last_name, birth, person_sex, relation in people:
                prow = await Person.insert(
                    Person(
                        first_name=first_name,
                        last_name=last_name,
                        birth_date=birth,
                        sex=person_sex,
                        nationality=rng.choice(["france", "france", "eu", "non_eu"]),
                        created_at=current,
                    )
                ).returning(Person.id)
                await Membership.insert(
                    Membership(
                        household=hid, person=prow[0]["id"], relation=relation, start_date=since
                    )
                )
            await Household.update(
                {
                    Household.reference: reference,
                    Household.search_text: normalise(
                        name, reference, *(f"{p[0]} {p[1]}" for p in people)
                    ),
                }
            ).where(Household.id == hid)
            counts["households"] += 1
            counts["people"] += len(people)
            if programmes:
                # The first three households of each programme are in its active phase, so
                # every programme's pages (and its plugin's demo data: the boarding houses'
                # and the residence's residents) have people housed.
                counts["enrolments"] += await _enrol(
                    host,
                    rng,
                    hid,
                    programme_key,
                    since,
                    on,
                    workers,
                    active=i < 3 * len(programmes),
                )
            for _ in range(rng.randint(1, 4)):
                day = since + dt.timedelta(days=rng.randint(0, max(1, (on - since).days)))
                kind = rng.choice(["note", "home_visit", "office_appointment", "phone_call"])
                programme = programme_key
                await TimelineEvent.insert(
                    TimelineEvent(
                        household=hid,
                        kind=kind,
                        occurred_at=dt.datetime.combine(day, dt.time(10, 30), tzinfo=PARIS),
                        author=rng.choice(workers),
                        programme=programme,
                        title=host.event_types[kind].label,
                        body=rng.choice(NOTES),
                        created_at=current,
                    )
                )
                counts["events"] += 1
        extra = await _plugin_demos(host, tx, seed, on, users)
        await _demo_capacity(programmes, on.year)
    # Plugins' demo loaders complete the enrolments' data (units, renewals…): due dates last.
    from tremplin.services import deadlines

    await deadlines.refresh_all(host.workflows)
    async with transaction():
        counts["appointments"] = await _appointments(host, rng, on, workers)
    counts["shares"] = await _partner_shares(host, on, users["ts@demo.tremplin.fr"])
    summary = (
        f"Démo chargée : {counts['households']} ménages, {counts['people']} personnes, "
        f"{counts['enrolments']} accompagnements, {counts['events']} événements, "
        f"{counts['appointments']} rendez-vous cette semaine, "
        f"{counts['shares']} partages avec les partenaires."
    )
    return summary + "".join(f"\n  {line}" for line in extra)


async def _partner_shares(host: PluginHost, on: dt.date, worker: int) -> int:
    """Each demo partner gets a few households shared with it, with a dated consent, through
    the sharing command (so the programme's partner kinds and the access policy apply): a
    partner sees households at its first login."""
    from tremplin.forms import FormErrors
    from tremplin.services.households import Actor
    from tremplin.services.shares import create_share, shareable_groups

    actor = Actor(user_id=worker, address="demo")
    count = 0
    partners = await PartnerOrganisation.select(
        PartnerOrganisation.id, PartnerOrganisation.kind
    ).order_by(PartnerOrganisation.id)
    enrolments = (
        await Enrolment.select(Enrolment.household, Enrolment.programme)
        .where(Enrolment.exit_date.is_null())
        .order_by(Enrolment.id)
    )
    for partner in partners:
        shared, done = 0, set()
        for kind_first in (True, False):
            for e in enrolments:
                if shared >= 3:
                    break
                if e["household"] in done:
                    continue
                prog = host.programmes.get(e["programme"])
                if prog is None:
                    continue
                # First the programmes made for this kind of partner, then any that allows it.
                if kind_first and partner["kind"] not in (prog.partner_kinds or ()):
                    continue
                groups = [g.key for g in shareable_groups(host, e["programme"])]
                raw = {
                    "partner": str(partner["id"]),
                    "programme": e["programme"],
                    "groups": [g for g in groups if g in ("identity", "enrolment")] or groups[:1],
                    "consent_date": (on - dt.timedelta(days=20)).isoformat(),
                    "consent_expires": (on + dt.timedelta(days=345)).isoformat(),
                }
                try:
                    await create_share(host, actor, e["household"], raw, host.programme_keys)
                except FormErrors:
                    continue
                done.add(e["household"])
                shared += 1
        count += shared
    return count


async def _demo_capacity(programmes: list[str], year: int) -> None:
    """Places for the demo (data an administrator sets, reports.capacity): the most
    households a programme had at once at a year end, plus a little room, per year."""
    from tremplin.models import ProgrammeCapacity

    rows = await Enrolment.select(
        Enrolment.programme, Enrolment.entry_date, Enrolment.exit_date
    ).where(Enrolment.entry_date.is_not_null())
    taken = {
        (r["programme"], r["year"])
        for r in await ProgrammeCapacity.select(ProgrammeCapacity.programme, ProgrammeCapacity.year)
    }
    for programme in programmes:
        own = [r for r in rows if r["programme"] == programme]
        for y in range(year - 3, year + 1):
            if (programme, y) in taken:
                continue
            end = dt.date(y, 12, 31)
            busy = sum(1 for r in own if r["entry_date"] <= end and (r["exit_date"] or end) >= end)
            await ProgrammeCapacity.insert(
                ProgrammeCapacity(
                    programme=programme,
                    year=y,
                    places=busy + 2,
                    updated_at=now(),
                )
            )


async def _appointments(
    host: PluginHost, rng: random.Random, on: dt.date, workers: list[int]
) -> int:
    """A few appointments planned from today to the end of next week with households in
    their active phase, so the calendar, the dashboard and the ICS feed have something."""
    active = {
        (w.programme, s.key)
        for w in host.workflows.values()
        for s in w.states
        if s.phase == "active"
    }
    rows = await Enrolment.select(Enrolment.household, Enrolment.programme, Enrolment.state)
    candidates = [r for r in rows if (r["programme"], r["state"]) in active][:12]
    kinds = [
        k
        for k in ("office_appointment", "home_visit", "tripartite_meeting")
        if k in host.event_types
    ]
    places = {"office_appointment": "Bureau de l'association", "home_visit": "Au domicile"}
    current = now()
    for n, r in enumerate(candidates):
        kind = kinds[n % len(kinds)]
        day = on + dt.timedelta(days=rng.randint(0, 9))
        start = dt.datetime.combine(
            day, dt.time(rng.choice([9, 10, 11, 14, 15, 16]), 0), tzinfo=PARIS
        )
        await Appointment.insert(
            Appointment(
                household=r["household"],
                programme=r["programme"],
                kind=kind,
                title=host.event_types[kind].label,
                starts_at=start.astimezone(dt.UTC),
                ends_at=(start + dt.timedelta(hours=1)).astimezone(dt.UTC),
                place=places.get(kind, "Locaux de la Mission Locale"),
                attendees="Le ménage"
                if kind != "tripartite_meeting"
                else "Le ménage, le partenaire",
                worker=workers[n % len(workers)],
                created_at=current,
                updated_at=current,
            )
        )
    return len(candidates)


def _loaders(host: PluginHost) -> list[tuple[str, DemoData]]:
    """Every plugin's demo loaders, by order then key; a plugin whose hook raises is logged."""
    found: list[tuple[str, DemoData]] = []
    for impl in host.pm.hook.tremplin_demo_data.get_hookimpls():
        try:
            loaders = cast(list[DemoData], impl.function() or [])  # the hook's declared return
            found.extend((impl.plugin_name, d) for d in loaders)
        except Exception:
            log.exception("plugin %s failed in tremplin_demo_data", impl.plugin_name)
    return sorted(found, key=lambda x: (x[1].order, x[1].key))


async def demo_enrolments(host: PluginHost) -> tuple[DemoEnrolment, ...]:
    """Every enrolment, oldest first, with the phase of its state (what a loader builds on)."""
    phases = {(w.programme, s.key): s.phase for w in host.workflows.values() for s in w.states}
    rows = await Enrolment.select(
        Enrolment.id,
        Enrolment.household,
        Enrolment.programme,
        Enrolment.state,
        Enrolment.referral_date,
        Enrolment.entry_date,
        Enrolment.exit_date,
    ).order_by(Enrolment.id)
    return tuple(
        DemoEnrolment(
            id=r["id"],
            household_id=r["household"],
            programme=r["programme"],
            state=r["state"],
            phase=phases.get((r["programme"], r["state"]), ""),
            referral_date=r["referral_date"],
            entry_date=r["entry_date"],
            exit_date=r["exit_date"],
        )
        for r in rows
    )


async def _plugin_demos(
    host: PluginHost, tx: Any, seed: int, on: dt.date, users: dict[str, int]
) -> list[str]:
    """Await each plugin's demo loader in a savepoint: one that fails is rolled back and
    logged, the core demo and the other plugins' data stay."""
    enrolments = await demo_enrolments(host)
    by_role: dict[str, int] = {}
    for email, _name, role in DEMO_USERS:
        by_role.setdefault(role, users[email])
    lines = []
    for number, (plugin, demo) in enumerate(_loaders(host), start=1):
        ctx = DemoContext(
            rng=random.Random(f"{seed}-{demo.key}"),
            today=on,
            enrolments=enrolments,
            users=dict(by_role),
            programmes={k: p.name_fr for k, p in host.programmes.items()},
        )
        savepoint = await tx.savepoint(f"demo_{number}")
        try:
            summary = await demo.load(ctx)
        except Exception:
            log.exception("plugin %s failed loading demo data %s", plugin, demo.key)
            await savepoint.rollback_to()
            lines.append(f"{demo.key} : échec (voir le journal), données non chargées.")
            continue
        await savepoint.release()
        if summary:
            lines.append(f"{demo.key} : {summary}")
    return lines


async def _enrol(
    host: PluginHost,
    rng: random.Random,
    hid: int,
    programme: str,
    since: dt.date,
    on: dt.date,
    workers: list[int],
    active: bool = False,
) -> int:
    workflow = host.workflows[programme]
    prog = host.programmes[programme]
    weights = {"referral": 1, "waiting": 1, "active": 5, "closed": 3}
    states = [s for s in workflow.states]
    state = rng.choices(states, weights=[weights[s.phase] for s in states])[0]
    if active and state.phase != "active":
        state = next((s for s in states if s.phase == "active"), state)
    referral = since
    if state.phase != "closed":
        # Followed now: oriented in the last eleven months, so that the programme's durations
        # hold and the due dates (entry + 6, 12, 18 months…) fall around today.
        referral = max(since, on - dt.timedelta(days=rng.randint(40, 330)))
    decision = referral + dt.timedelta(days=rng.randint(7, 30))
    entry = decision + dt.timedelta(days=rng.randint(7, 45))
    max_days = (prog.max_duration_months or 24) * 30
    entry = min(entry, on)
    decision = min(decision, entry)
    exit_ = min(entry + dt.timedelta(days=rng.randint(60, max_days)), on)
    data = {f.name: _fake(f, rng, referral) for f in host.fields(programme)}
    data = {k: v for k, v in data.items() if v not in (None, [])}
    data = _consistent(host, programme, data, referral)
    closed_after_entry = state.phase == "closed" and "exit" in state.key
    await Enrolment.insert(
        Enrolment(
            household=hid,
            programme=programme,
            state=state.key,
            referral_date=referral,
            prescriber=rng.choice(prog.prescribers).value if prog.prescribers else "",
            referent=rng.choice(workers),
            decision_date=decision if state.phase != "referral" else None,
            entry_date=entry if state.phase == "active" or closed_after_entry else None,
            exit_date=exit_ if state.phase == "closed" else None,
            exit_destination=(
                rng.choice(prog.exit_destinations).value
                if closed_after_entry and prog.exit_destinations
                else ""
            ),
            data=data,
            created_at=now(),
            updated_at=now(),
        )
    )
    return 1
