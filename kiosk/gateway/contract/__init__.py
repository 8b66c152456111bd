"""The gateway contract by domain; ``kiosk.gateway.models`` is its one import surface.

- ``fields``: enumerations, patterns, size limits and the field types the classes share;
- ``wire``: what every contract class can do (``Wire``, ``contract``), strict parsing of
  answers (``parse``, ``SchemaError``) and the JSON helpers (``to_jsonable``, ``body``, ``iso``);
- ``problems``: the error body, and the first answer under an idempotency key;
- ``catalog``: life events, procedures, provinces;
- ``dossiers``: a dossier's status page, and the submission a kiosk files with its receipt;
- ``payments``: acting for the applicant, fee payments, delivery of a result by post;
- ``kiosks``: heartbeat, health, audit head, help requests and ratings.

Import the classes from ``kiosk.gateway.models`` (``from kiosk.gateway import models as M``).
"""
