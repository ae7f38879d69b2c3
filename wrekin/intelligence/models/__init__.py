"""The intelligence app's models, one module per area, all importable from here.

- disruption: DisruptionAction, DisruptionUpdate (the disruption log)
- entities: Entity, Mention (what records mention, and where)
- alerts: LinkAlert, LinkAlertMention, LinkAlertTransition (real-time link alerts)
- reports: IntelligenceReport (3x5x2 graded intelligence)
"""

from wrekin.intelligence.models.alerts import (  # noqa: F401
    LinkAlert,
    LinkAlertMention,
    LinkAlertStatus,
    LinkAlertTransition,
    LinkBasis,
)
from wrekin.intelligence.models.disruption import (  # noqa: F401
    CHILD_PROTECTING_KINDS,
    PREMISES_KINDS,
    DisruptionAction,
    DisruptionKind,
    DisruptionStatus,
    DisruptionUpdate,
    NoFurtherActionReason,
)
from wrekin.intelligence.models.entities import (  # noqa: F401
    BusinessKind,
    Entity,
    EntityType,
    Mention,
    MentionOrigin,
    MentionStatus,
    PremisesType,
    ResolutionStatus,
    VehicleMarkFormat,
)
from wrekin.intelligence.models.reports import (  # noqa: F401
    HandlingCode,
    IntelligenceAssessment,
    IntelligenceReport,
    SourceEvaluation,
)
