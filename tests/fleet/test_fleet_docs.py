"""The shipped Prometheus config, alert rules and Grafana dashboard only name metrics the kiosk
really exports (checked against a live exposition)."""

from __future__ import annotations

import json
import re

import pytest

from kiosk import config, metrics
from kiosk.core import KioskCore
from kiosk.devices.registry import build_devices
from tests.conftest import ROOT

FLEET = ROOT / "docs" / "fleet"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    settings = config.defaults().replace(kiosk={"data_dir": str(tmp_path_factory.mktemp("d"))})
    devices = build_devices(settings, simulated=True)
    core = KioskCore(settings, devices=devices)
    devices.open_all()
    m = metrics.attach(core)
    m.outbox_depth.set(0)
    core.begin()
    core.reset("timeout")
    m.errors.labels(kind="x").inc()
    m.receipts.labels(kind="x", outcome="ok").inc()
    m.audit_entries.labels(action="x", outcome="ok").inc()
    m.pin_lockouts.labels(role="staff").inc()
    text = m.exposition().decode()
    m.detach()
    core.shutdown()
    return set(re.findall(r"(?m)^(kiosk_[a-z_]+)", text))


def names_in(text: str) -> set[str]:
    return set(re.findall(r"\b(kiosk_[a-z_]+)\b", text)) - {"kiosk_"}


def test_dashboard_queries_use_exported_metrics(exported):
    dash = json.loads((FLEET / "grafana-dashboard.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    exprs.append(dash["templating"]["list"][0]["query"]["query"])
    used = set().union(*(names_in(e) for e in exprs))
    assert used and used <= exported, used - exported


def test_alert_rules_use_exported_metrics(exported):
    import yaml

    rules = yaml.safe_load((FLEET / "kiosk-alerts.yml").read_text(encoding="utf-8"))
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = set().union(*(names_in(e) for e in exprs))
    assert used and used <= exported, used - exported


def test_prometheus_config_scrapes_kiosks_from_files():
    import yaml

    cfg = yaml.safe_load((FLEET / "prometheus.yml").read_text(encoding="utf-8"))
    job = cfg["scrape_configs"][0]
    assert job["job_name"] == "kiosk" and job["file_sd_configs"][0]["files"]
    keep = job["metric_relabel_configs"][0]
    assert keep["action"] == "keep" and re.fullmatch(keep["regex"], "kiosk_device_state")
    assert "kiosk-alerts.yml" in cfg["rule_files"]
