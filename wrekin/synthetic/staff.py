"""The synthetic partnership's agencies and its named demo users.

Kept apart from the generator so `wrekin demo_users` can list the same people
without generating anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from wrekin.accounts.models import AgencyType, Role

PARTNERSHIP_NAME = "Wrekin and Severn Safeguarding Partnership"
DEFAULT_PARTNERSHIP_CODE = "wrekin-demo"
# Synthetic demo accounts only; overridden by WREKIN_DEMO_PASSWORD. Every account still needs MFA.
DEFAULT_DEMO_PASSWORD = "wrekin-demo-password"  # noqa: S105


def demo_password() -> str:
    return os.environ.get("WREKIN_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass(frozen=True)
class AgencySpec:
    key: str
    code: str
    name: str
    type: str
    # "wrekin" or "severn" for agencies that cover one council's area; "" for partnership-wide ones.
    area: str = ""
    # For schools: the school name children's records carry.
    school: str = ""

    @property
    def contact_email(self) -> str:
        return f"duty@{self.code}.example"


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec("csc_wrekin", "wrekin-csc", "Wrekin Council Children's Social Care",
               AgencyType.CHILDRENS_SOCIAL_CARE, area="wrekin"),
    AgencySpec("csc_severn", "severn-csc", "Severn Council Children's Social Care",
               AgencyType.CHILDRENS_SOCIAL_CARE, area="severn"),
    AgencySpec("police", "severn-vale-police", "Severn Vale Police", AgencyType.POLICE),
    AgencySpec("health_community", "wrekin-severn-community-health", "Wrekin and Severn Community Health",
               AgencyType.HEALTH),
    AgencySpec("health_hospitals", "severn-valley-hospitals", "Severn Valley Hospitals", AgencyType.HEALTH),
    AgencySpec("school_coalport", "coalport-rise-academy", "Coalport Rise Academy", AgencyType.EDUCATION,
               school="Coalport Rise Academy"),
    AgencySpec("school_severn_gorge", "severn-gorge-high-school", "Severn Gorge High School",
               AgencyType.EDUCATION, school="Severn Gorge High School"),
    AgencySpec("school_kilnbank", "kilnbank-academy", "Kilnbank Academy", AgencyType.EDUCATION,
               school="Kilnbank Academy"),
    AgencySpec("school_castle_ward", "castle-ward-school", "Castle Ward School", AgencyType.EDUCATION,
               school="Castle Ward School"),
    AgencySpec("youth", "wrekin-youth-service", "Wrekin Youth Service", AgencyType.YOUTH_SERVICE),
    AgencySpec("voluntary", "open-door-project", "Open Door Young People's Project", AgencyType.VOLUNTARY),
    AgencySpec("licensing", "wrekin-licensing", "Wrekin Council Licensing", AgencyType.LICENSING),
    AgencySpec("exploitation_team", "partnership-exploitation-team", "Partnership Exploitation Team",
               AgencyType.OTHER),
    AgencySpec("governance", "partnership-information-governance", "Partnership Information Governance",
               AgencyType.OTHER),
)
AGENCIES_BY_KEY = {agency.key: agency for agency in AGENCIES}
SCHOOL_AGENCY_BY_NAME = {agency.school: agency.key for agency in AGENCIES if agency.school}
# Agencies whose staff work with people and so appear as workers on involvements.
CASEWORK_AGENCIES = tuple(agency.key for agency in AGENCIES if agency.key != "governance")


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: str
    job_title: str
    is_demo: bool = False


# The named demo users: one or more for every role and every agency type, easy to remember.
DEMO_USERS: tuple[StaffSpec, ...] = (
    StaffSpec("sarah", "Sarah", "Pritchard", "police", Role.PRACTITIONER, "Detective constable", True),
    StaffSpec("amir", "Amir", "Hussain", "csc_wrekin", Role.PRACTITIONER, "Social worker", True),
    StaffSpec("zofia", "Zofia", "Nowak", "health_community", Role.PRACTITIONER, "School nurse", True),
    StaffSpec("gemma", "Gemma", "Onions", "school_coalport", Role.PRACTITIONER,
              "Designated safeguarding lead", True),
    StaffSpec("tom", "Tom", "Bebb", "youth", Role.PRACTITIONER, "Detached youth worker", True),
    StaffSpec("joy", "Joy", "Mensah", "voluntary", Role.PRACTITIONER, "Return home interview worker", True),
    StaffSpec("liam", "Liam", "Doyle", "licensing", Role.PRACTITIONER, "Taxi licensing officer", True),
    StaffSpec("rachel", "Rachel", "Jukes", "csc_wrekin", Role.MANAGER, "Team manager", True),
    StaffSpec("priya", "Priya", "Sandhu", "exploitation_team", Role.COORDINATOR, "Exploitation coordinator",
              True),
    StaffSpec("david", "David", "Asante", "police", Role.ANALYST, "Intelligence analyst", True),
    StaffSpec("helen", "Helen", "Mytton", "exploitation_team", Role.MACE_CHAIR, "MACE chair", True),
    StaffSpec("mark", "Mark", "Tranter", "governance", Role.AUDITOR, "Information governance officer", True),
    StaffSpec("ioana", "Ioana", "Popescu", "governance", Role.ADMINISTRATOR, "System administrator", True),
)
DEMO_USERNAMES = tuple(user.username for user in DEMO_USERS)
