"""A dossier submission as a kiosk sends it, for the benchmarks, the journey scripts and the
tests: a fictional applicant read from the chip (passive authentication without the CSCA
chain), the marriage-status certificate procedure (which has a fee), pick-up at the post
office.  ``detail`` makes submissions differ (the gateway files each body once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from kiosk.gateway import models as M

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: a procedure with a fee


def sample_submission(detail: str = "", *, id_number: str = "001099012345", full_name: str = "Nguyễn Văn An",
                      born: date = date(1990, 5, 17), purpose: str = "mục đích khác",
                      documents: Sequence[M.DocumentPhoto] = ()) -> M.DossierSubmission:
    now = datetime.now(UTC)
    form = {"purpose": purpose, **({"purpose_detail": detail} if detail else {}), "marital_status": "chưa kết hôn"}
    return M.DossierSubmission(
        procedure_code=PROCEDURE,
        applicant=M.Applicant(id_number, full_name, born, "chip",
                              M.PassiveAuthentication("chain_not_verified", True, True, None)),
        form=form, delivery=M.DeliveryChoice("pickup"), consent_at=now, submitted_at=now,
        documents=list(documents),
    )
