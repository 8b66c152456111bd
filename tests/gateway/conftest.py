import pytest

from kiosk import config


@pytest.fixture(scope="session")
def gateway():
    """One demo gateway over real HTTP on 127.0.0.1 for the whole session (in-memory DB)."""
    from kiosk.gateway.embedded import EmbeddedGateway

    gw = EmbeddedGateway(None, app_kwargs={"bank_delay": 0.5})
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture
def settings(tmp_path):
    return config.defaults(kiosk={"data_dir": str(tmp_path / "data")})


@pytest.fixture
def client(gateway, settings):
    from kiosk.gateway.client import GatewayClient

    c = GatewayClient.from_settings(settings, base_url=gateway.base_url, retries=1)
    yield c
    c.close()
