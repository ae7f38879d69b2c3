"""Short professional notes for synthetic involvements and relationships.

They read like the one-line summaries practitioners write: factual, in plain
words, and never graphic. They describe indicators (missing episodes, older
associates, cars, unexplained gifts, school absence), never harm in detail.
"""

from __future__ import annotations

import random

PLACES = (
    "the bus station", "the town centre", "the retail park", "the skate park",
    "a takeaway on the high street",
    "the railway station", "a hotel car park", "the canal towpath", "the park", "a petrol station",
    "the shopping centre", "a taxi rank", "a car wash", "a house in another town",
)
COLOURS = ("silver", "black", "grey", "white", "dark blue", "red")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

# Notes about a child, by the type of agency writing them.
CHILD_NOTES: dict[str, tuple[str, ...]] = {
    "childrens_social_care": (
        "Child and family assessment completed; exploitation screening requested.",
        "Child in need plan; concerns about missing episodes and older associates.",
        "Looked-after child; {n} missing episodes from placement this term.",
        "Strategy discussion held after return from a missing episode.",
        "Parent reports child staying out overnight and will not say where.",
        "Child protection plan; exploitation risk reviewed at each core group.",
        "Referral from school about unexplained new phone and clothes; assessment started.",
    ),
    "police": (
        "Reported missing {n} times since {month}; found near {place} each time.",
        "Seen getting into cars driven by unknown adults near {place}.",
        "Found in a {colour} car with an older male at night; returned home by officers.",
        "Intelligence submitted: seen with an unexplained new phone and clothes.",
        "Stopped near {place} late at night with older associates; taken home.",
        "Missing overnight; located at {place}; return home interview requested.",
        "Named in intelligence as travelling to another town by taxi paid for by others.",
    ),
    "health": (
        "Attended urgent care; school nurse follow-up offered.",
        "Sexual health service contact; safeguarding referral made.",
        "School nursing drop-in; talked about healthy relationships and staying safe.",
        "Missed three health appointments; GP and school nurse informed.",
        "Attended the emergency department after drinking alcohol; safeguarding referral made.",
    ),
    "education": (
        "Attendance below {pct}% this term; frequent late arrivals.",
        "Seen with a new phone and designer clothes; family unable to explain them.",
        "Collected from school by an unknown adult in a {colour} car; reported to the safeguarding lead.",
        "Fixed-term exclusion; concerns about older peers waiting outside school.",
        "Leaves school at lunchtime and does not return; parents informed each time.",
        "Talked to staff about a new older 'boyfriend'; safeguarding lead informed.",
    ),
    "youth_service": (
        "Attends detached youth sessions at {place}.",
        "Youth worker concerned about older peers; one-to-one sessions agreed.",
        "Seen at {place} late in the evening with adults not known to the service.",
    ),
    "voluntary": (
        "Return home interview completed after a missing episode.",
        "Return home interview offered within 72 hours; declined by the young person.",
        "Exploitation support worker allocated; weekly sessions.",
        "Group work on healthy relationships and online safety.",
    ),
    "other": (
        "Discussed at MACE; exploitation plan in place.",
        "Linked to a peer group under review by the exploitation team.",
        "Exploitation screening graded medium; review in three months.",
        "Exploitation screening graded high; strategy discussion held.",
    ),
}

PERSON_OF_CONCERN_NOTES: dict[str, tuple[str, ...]] = {
    "police": (
        "Named in intelligence as offering lifts to young people near {place}.",
        "Seen with children in a {colour} car; vehicle stopped and details recorded.",
        "Subject of a Child Abduction Warning Notice.",
        "Believed to give young people phone credit and cigarettes.",
        "Associated with addresses where missing children have been found.",
        "Arrested on suspicion; released under investigation.",
        "Named by more than one young person; enquiries continuing.",
    ),
    "licensing": (
        "Private hire driver licence holder; information shared by police.",
        "Licence holder; complaint received about carrying lone young passengers late at night.",
        "Licence review requested following information from the exploitation team.",
    ),
    "childrens_social_care": (
        "Adult named by a young person during an assessment.",
        "Adult seen collecting a looked-after child from placement.",
    ),
    "other": (
        "Person of concern discussed at MACE; disruption plan agreed.",
        "Linked to several children under the exploitation team's review.",
    ),
}

PARENT_NOTES: dict[str, tuple[str, ...]] = {
    "childrens_social_care": (
        "Parent engaged with the child in need plan.",
        "Parent worried about older friends; asked for support with curfews.",
        "Parent attended strategy discussion.",
    ),
    "police": (
        "Parent reported child missing.",
        "Parent reported older males waiting near the home.",
        "Parent gave details of a {colour} car seen collecting the child.",
    ),
}

ASSOCIATE_NOTES = (
    "Associate of a person of concern; no offences recorded.",
    "Seen with a person of concern at {place}.",
    "Registered keeper of a {colour} car seen with young people.",
)

RELATIONSHIP_NOTES: dict[str, tuple[str, ...]] = {
    "boyfriend": (
        "Child describes him as her boyfriend; he is much older.",
        "Child calls him her boyfriend; he buys her phone credit.",
        "",
    ),
    "controlling_adult": (
        "Collects the child from school in a {colour} car.",
        "Child says this adult 'looks after' them and gives them money.",
        "Child goes missing after contact with this adult.",
        "",
    ),
    "associate": (
        "Seen together at {place}.",
        "Child has this person's number saved in their phone.",
        "",
    ),
    "peer": ("Friends; go missing together.", "Seen together at {place}.", ""),
    "sibling": ("",),
    "parent": ("",),
}


def fill(template: str, rng: random.Random) -> str:
    """Fill a note's placeholders; each note only uses the ones it names."""
    if "{" not in template:
        return template
    return template.format(
        n=rng.randint(2, 6),
        month=rng.choice(MONTHS),
        place=rng.choice(PLACES),
        colour=rng.choice(COLOURS),
        pct=rng.choice((60, 65, 70, 75, 80)),
    )


def note(choices: tuple[str, ...], rng: random.Random) -> str:
    return fill(rng.choice(choices), rng)
