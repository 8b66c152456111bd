"""The payments' routes: create a fee payment (a VietQR payload from the demo bank account, or a
cash slip; needs proof that the caller acts for the applicant), its status, and staff confirming
cash."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, IdemKey, Kiosk, PaymentId

PAYMENT_TTL = 15 * 60.0
DEMO_BANK_BIN = "970436"          # a NAPAS member BIN (demo)
DEMO_ACCOUNT = "DEMO0000000001"   # no real account: payments are simulated


def vietqr_builder(payment_id: str, amount: int) -> str:
    from kiosk import vietqr

    return vietqr.build(vietqr.VietQr(bank_bin=DEMO_BANK_BIN, account=DEMO_ACCOUNT, amount=amount,
                                      purpose=f"LE PHI {payment_id}"[:25], reference=payment_id,
                                      bill_number=payment_id))


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/payments", status_code=201, response_model=M.Payment,
              responses=_r(401, 404, 409, 413, 422, 429), tags=["payments"],
              summary="Create a fee payment: a VietQR payload with its expiry, or a cash slip",
              description="Needs applicant_proof (403 applicant_proof_required / applicant_proof_mismatch).")
    def create_payment(body: M.PaymentRequest, kiosk: Kiosk, idempotency_key: IdemKey) -> JSONResponse:
        dossier = ctx.dossier_or_404(body.dossier_code, kiosk)
        code = dossier["code"]
        ctx.require_proof(kiosk, code, body.applicant_proof)
        amount = dossier["fee"]["amount_vnd"]
        if dossier["fee"]["paid"] or amount == 0:
            raise ApiError(409, "already_paid", "Nothing to pay for this dossier")
        data = ctx.fingerprinted(body)
        return ctx.once(kiosk, idempotency_key, data, "/v1/payments",
                        lambda: (201, store.new_payment(kiosk, code, body.method, amount, ctx.bank_delay,
                                                        PAYMENT_TTL, vietqr_builder)))

    @app.get("/v1/payments/{payment_id}", response_model=M.Payment, responses=_r(401, 404), tags=["payments"],
             summary="Payment status (pending, paid, expired, cancelled)")
    def payment_status(payment_id: PaymentId, kiosk: Kiosk) -> dict:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        return found

    @app.post("/v1/payments/{payment_id}/cash-confirmation", response_model=M.Payment,
              responses=_r(401, 404, 409, 413, 422), tags=["payments"],
              summary="Post-office staff confirm they took the fee in cash")
    def confirm_cash(payment_id: PaymentId, body: M.CashConfirmation, kiosk: Kiosk,
                     idempotency_key: IdemKey) -> JSONResponse:
        found = store.payment(payment_id)
        if found is None:
            raise ApiError(404, "not_found", "No payment with this id")
        if body.amount_vnd != found["amount_vnd"]:
            raise ApiError(422, "amount_mismatch", "The amount does not match the payment")
        if found["status"] not in ("pending", "paid"):
            raise ApiError(409, "conflict", f"The payment is {found['status']}")
        data = M.dump(body)
        return ctx.once(kiosk, idempotency_key, data, f"/v1/payments/{payment_id}/cash-confirmation",
                        lambda: (200, store.confirm_payment(payment_id, f"staff:{body.staff_id}")))
