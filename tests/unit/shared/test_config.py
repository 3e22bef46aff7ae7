import pytest

from shared import config


def test_the_service_file_gives_the_defaults():
    settings = config.load("guidance", env={})
    assert settings.follows == ("intake",)
    assert settings.store.kind == "sqlite"
    assert settings.store.sqlite_path == config.PROJECT_ROOT / "var/guidance/events.sqlite"


def test_environment_variables_override_the_file_with_the_right_types():
    settings = config.load(
        "guidance",
        env={
            "AMQP_URI": "amqp://u:p@broker:5672/jww",
            "JWW_STORE_KIND": "postgres",
            "JWW_METRICS_PORT": "9999",
            "JWW_RELAY_POLL_SECONDS": "0.5",
            "JWW_SERVICE_FOLLOWS": "intake, referrals",
        },
    )
    assert settings.amqp_uri == "amqp://u:p@broker:5672/jww"
    assert settings.store.kind == "postgres"
    assert settings.metrics_port == 9999
    assert settings.relay_poll_seconds == 0.5
    assert settings.follows == ("intake", "referrals")


@pytest.mark.parametrize(
    "env, message",
    [
        ({"JWW_METRICS_PORT": "ninety"}, "JWW_METRICS_PORT='ninety' is not a valid int"),
        ({"JWW_STORE_KIND": "mysql"}, "store kind must be 'sqlite' or 'postgres'"),
        ({"JWW_CONFIG": "/nonexistent/service.toml"}, "no settings file"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(env, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load("intake", env=env)
