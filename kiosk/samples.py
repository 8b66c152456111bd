"""The demo's sample data: dossier codes, the sample card's person, PINs, a form and an address.

Plain constants, shared by the demo screens (a "use the sample receipt" button), the journey
scripts in ``kiosk.drive``, the tests and the benchmarks.  Nothing here imports the kiosk's UI.
All people and addresses are fictitious.
"""

from __future__ import annotations

# -- dossiers of the demo gateway (kiosk/gateway/demo) ---------------------------------------------

SAMPLE_DOSSIER = "H26.99-241125-0002"  # in progress, its fee already paid
UNKNOWN_DOSSIER = "H26.99-000000-0000"  # well-formed, but no such dossier

# -- the demo's sample chip ID card (kiosk/assets/cards/sample-person.json, also in its front QR) --

SAMPLE_PERSON_ID = "001189012345"

# -- the demo PINs of kiosk.ini (only their scrypt hashes are in the file) -------------------------

STAFF_PIN, TECHNICIAN_PIN = "246810", "135790"

# -- submit a procedure ----------------------------------------------------------------------------

SUBMIT_QUERY = "dang ky khai sinh"
SUBMIT_PROCEDURE = "Đăng ký khai sinh"
# what a parent types for a newborn (fictional)
SUBMIT_FORM = {"child_full_name": "Nguyễn Minh An", "child_date_of_birth": "2026-11-20", "child_sex": "Nam",
               "place_of_birth": "Bệnh viện Phụ sản Hà Nội", "requester_relation": "mẹ"}

# -- result delivery by post -----------------------------------------------------------------------

SAMPLE_ADDRESS = {"recipient": "Nguyễn Văn An", "phone": "0912345678", "province": "ha-noi",
                  "ward": "Phường Láng", "street": "Số 12, ngõ 34, đường Láng"}
