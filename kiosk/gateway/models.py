"""The gateway contract, written once: what a kiosk sends and what a gateway answers.

This module is the contract's one import surface (``from kiosk.gateway import models as M``);
the classes live by domain in ``kiosk.gateway.contract`` (``fields``, ``wire``, ``problems``,
``catalog``, ``dossiers``, ``payments``, ``kiosks``) and are re-exported here.

Every class is a frozen dataclass annotated for pydantic.  The same classes serve

- the client (kiosk.gateway.client): ``Cls.from_dict(json)`` checks an answer strictly (JSON
  types, no numbers as text, time zones on date-times; unknown keys are ignored so a newer
  gateway can add fields) and raises ``SchemaError``, which the client turns into
  ``GatewayBadResponse``;
- the demo gateway (kiosk.gateway.demo.app): FastAPI validates requests and answers with them
  and turns them into docs/openapi.json.  Field names are the wire names.

Building one in Python (``Address(province, ward, street)``) checks nothing, as any
dataclass: the gateway is the judge of a request.  Personal fields are ``repr=False``, so a
submission printed into a log shows no name or number.  Datetimes are timezone-aware,
dates ``date``.
"""

from kiosk.gateway.contract.catalog import (
    LifeEvent,
    Procedure,
    ProcedureFee,
    ProcedureList,
    ProcedurePage,
    ProcedureSummary,
    Province,
    RequiredDocument,
)
from kiosk.gateway.contract.dossiers import (
    Address,
    Applicant,
    DeliveryChoice,
    DeliveryInfo,
    DocumentPhoto,
    Dossier,
    DossierFee,
    DossierSubmission,
    PassiveAuthentication,
    ProcedureRef,
    SubmissionReceipt,
    TimelineEvent,
)
from kiosk.gateway.contract.fields import (
    CLAIM_CODE_PATTERN,
    DELIVERY_METHODS,
    DOSSIER_CODE_PATTERN,
    DOSSIER_STATUSES,
    HELP_REASONS,
    HELP_STATUSES,
    ID_NUMBER_PATTERN,
    KIOSK_ID_PATTERN,
    MAX_REQUEST_BYTES,
    MAX_SUBMISSION_BYTES,
    PAYMENT_STATUSES,
    PHONE_PATTERN,
    DeliveryMethod,
    DossierStatus,
    HelpReason,
    HelpStatus,
    Instant,
    IsoDate,
    IsoDateTime,
    Journey,
    KioskId,
    Level,
    NonNegative,
    PassiveAuthStatus,
    PaymentMethod,
    PaymentStatus,
    Phone,
)
from kiosk.gateway.contract.kiosks import (
    AuditHead,
    Health,
    Heartbeat,
    HeartbeatAck,
    HelpRequestIn,
    HelpStatusChange,
    HelpTicket,
    RatingAck,
    RatingIn,
)
from kiosk.gateway.contract.payments import (
    STAFF_CHECK_DOCUMENTS,
    ApplicantProof,
    CashConfirmation,
    DeliveryBooking,
    DeliveryConfirmation,
    DemoBankConfirmation,
    Payment,
    PaymentRequest,
    StaffCheck,
)
from kiosk.gateway.contract.problems import IdempotencyRecord, Problem
from kiosk.gateway.contract.wire import (
    SchemaError,
    Wire,
    body,
    contract,
    dump,
    iso,
    parse,
    parse_datetime,
    to_jsonable,
)

__all__ = [
    # field types, enumerations, patterns and limits
    "DossierStatus", "DeliveryMethod", "PaymentMethod", "PaymentStatus", "Level", "PassiveAuthStatus", "HelpReason",
    "HelpStatus", "Journey", "DOSSIER_STATUSES", "DELIVERY_METHODS", "PAYMENT_STATUSES", "HELP_REASONS",
    "HELP_STATUSES", "DOSSIER_CODE_PATTERN", "CLAIM_CODE_PATTERN", "ID_NUMBER_PATTERN", "KIOSK_ID_PATTERN",
    "PHONE_PATTERN", "MAX_SUBMISSION_BYTES", "MAX_REQUEST_BYTES", "IsoDateTime", "IsoDate", "Instant",
    "NonNegative", "KioskId", "Phone",
    # the common part and the JSON helpers
    "SchemaError", "parse", "dump", "contract", "Wire", "parse_datetime", "iso", "to_jsonable", "body",
    # errors and reconciliation
    "Problem", "IdempotencyRecord",
    # dossiers and submissions
    "ProcedureRef", "TimelineEvent", "DossierFee", "DeliveryInfo", "Dossier", "PassiveAuthentication", "Applicant",
    "DocumentPhoto", "Address", "DeliveryChoice", "DossierSubmission", "SubmissionReceipt",
    # catalog
    "LifeEvent", "RequiredDocument", "ProcedureFee", "ProcedureSummary", "Procedure", "ProcedureList",
    "ProcedurePage", "Province",
    # acting for the applicant, payments and delivery
    "ApplicantProof", "StaffCheck", "STAFF_CHECK_DOCUMENTS",
    "PaymentRequest", "DemoBankConfirmation", "Payment", "CashConfirmation", "DeliveryBooking",
    "DeliveryConfirmation",
    # kiosks, help and ratings
    "AuditHead", "Heartbeat", "HeartbeatAck", "Health", "HelpRequestIn", "HelpTicket", "HelpStatusChange",
    "RatingIn", "RatingAck",
]
