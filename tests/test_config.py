"""Settings.from_environment: the variables of interfaces.md, their defaults, and loud failures at start-up."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import PROJECT_ROOT, ConfigurationError, Settings

CREDENTIALS = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "a-secret-token"}
SENDER = {"TWILIO_SMS_FROM": "+15005550006"}


def settings(tmp_path: Path | None = None, **env: str) -> Settings:
    return Settings.from_environment(env, instance_path=tmp_path)


def test_the_default_database_is_a_sqlite_file_under_the_instance_folder(tmp_path):
    assert settings(tmp_path).database_url == f"sqlite:///{tmp_path / 'contact_centre.sqlite3'}"


def test_the_default_instance_folder_is_the_projects_instance_folder():
    assert settings().database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'contact_centre.sqlite3'}"


def test_database_url_is_taken_as_given(tmp_path):
    url = "postgresql+psycopg://svc@db.internal:5432/contact"
    assert settings(tmp_path, DATABASE_URL=url).database_url == url


def test_an_empty_database_url_counts_as_unset(tmp_path):
    assert settings(tmp_path, DATABASE_URL="").database_url.startswith("sqlite:///")


def test_without_credentials_texts_are_recorded_with_the_log_backend(tmp_path):
    config = settings(tmp_path)
    assert (config.sms_backend, config.twilio_account_sid, config.twilio_auth_token) == ("log", None, None)


def test_with_credentials_texts_go_through_twilio(tmp_path):
    config = settings(tmp_path, **CREDENTIALS, **SENDER)
    assert (config.sms_backend, config.twilio_account_sid, config.twilio_auth_token) == (
        "twilio", CREDENTIALS["TWILIO_ACCOUNT_SID"], CREDENTIALS["TWILIO_AUTH_TOKEN"])


def test_half_the_credentials_mean_the_log_backend(tmp_path):
    assert settings(tmp_path, TWILIO_ACCOUNT_SID=CREDENTIALS["TWILIO_ACCOUNT_SID"]).sms_backend == "log"


def test_the_log_backend_can_be_chosen_even_with_credentials(tmp_path):
    assert settings(tmp_path, SMS_BACKEND="log", **CREDENTIALS).sms_backend == "log"


def test_the_twilio_backend_without_credentials_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"):
        settings(tmp_path, SMS_BACKEND="twilio")


def test_the_twilio_backend_with_only_the_sid_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        settings(tmp_path, SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=CREDENTIALS["TWILIO_ACCOUNT_SID"])


def test_an_unknown_sms_backend_is_an_error_naming_the_choices(tmp_path):
    with pytest.raises(ConfigurationError, match="SMS_BACKEND must be one of log, twilio, aliyun, not 'carrier-pigeon'"):
        settings(tmp_path, SMS_BACKEND="carrier-pigeon")


def test_the_twilio_backend_without_a_sender_is_an_error_at_start_up(tmp_path):
    with pytest.raises(ConfigurationError, match="SMS_BACKEND=twilio needs TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID"):
        settings(tmp_path, SMS_BACKEND="twilio", **CREDENTIALS)


def test_credentials_without_a_sender_say_that_twilio_was_the_default_and_how_to_choose_log(tmp_path):
    with pytest.raises(ConfigurationError, match="twilio is the default .* SMS_BACKEND=log records texts instead"):
        settings(tmp_path, **CREDENTIALS)


def test_a_messaging_service_is_a_sender_too(tmp_path):
    assert settings(tmp_path, **CREDENTIALS, TWILIO_MESSAGING_SERVICE_SID="MG" + "1" * 32).sms_backend == "twilio"


def test_voice_calls_through_twilio_need_the_credentials(tmp_path):
    with pytest.raises(ConfigurationError, match="VOICE_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"):
        settings(tmp_path, VOICE_BACKEND="twilio")


@pytest.mark.parametrize("url, reason", [
    ("garbage", "DATABASE_URL: not a database URL"),
    ("mysql://x", "DATABASE_URL: mysql databases are not supported"),
    ("postgresql+nosuchdriver://cc@db/cc", "DATABASE_URL: the driver 'nosuchdriver' cannot be loaded"),
])
def test_a_database_url_that_cannot_work_is_an_error_at_start_up(tmp_path, url, reason):
    with pytest.raises(ConfigurationError, match=reason):
        settings(tmp_path, DATABASE_URL=url)


def test_the_database_url_is_not_repeated_in_its_error_since_it_may_hold_a_password(tmp_path):
    with pytest.raises(ConfigurationError) as raised:
        settings(tmp_path, DATABASE_URL="mysql://cc:s3cret-pw@db/cc")
    assert "s3cret-pw" not in str(raised.value)


def test_a_bad_number_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="SMS_LEASE_SECONDS must be a non-negative float, not 'soon'"):
        settings(tmp_path, SMS_LEASE_SECONDS="soon")


def test_the_aliyun_backend_without_its_keys_and_sign_name_is_an_error_naming_them(tmp_path):
    with pytest.raises(ValueError, match="SMS_BACKEND=aliyun needs ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME"):
        settings(tmp_path, SMS_BACKEND="aliyun", ALIYUN_ACCESS_KEY_ID="LTAI")


ALIYUN = {"ALIYUN_ACCESS_KEY_ID": "LTAI", "ALIYUN_ACCESS_KEY_SECRET": "secret", "ALIYUN_SMS_SIGN_NAME": "志高"}


def test_sms_routes_are_read_in_order_and_name_their_backends(tmp_path):
    read = settings(tmp_path, SMS_ROUTES="+86=aliyun, *=twilio", **ALIYUN, **CREDENTIALS, TWILIO_SMS_FROM="+15005550006")
    assert read.sms_routes == (("+86", "aliyun"), ("*", "twilio"))


def test_a_route_to_aliyun_needs_alibabas_settings_even_when_sms_backend_is_twilio(tmp_path):
    with pytest.raises(ValueError, match="ALIYUN_ACCESS_KEY_ID"):
        settings(tmp_path, SMS_ROUTES="+86=aliyun,*=twilio", **CREDENTIALS, TWILIO_SMS_FROM="+15005550006")


@pytest.mark.parametrize("raw", ["86=aliyun", "+86", "+86=sns", "+8a6=aliyun"])
def test_a_malformed_route_is_an_error(tmp_path, raw):
    with pytest.raises(ValueError, match="SMS_ROUTES"):
        settings(tmp_path, SMS_ROUTES=raw, **ALIYUN)


def test_the_twilio_api_url_defaults_to_twilios_own(tmp_path):
    assert settings(tmp_path).twilio_api_url is None


def test_the_twilio_api_url_can_point_at_a_stand_in(tmp_path):
    assert settings(tmp_path, TWILIO_API_URL="http://127.0.0.1:8765").twilio_api_url == "http://127.0.0.1:8765"


def test_the_business_time_zone_defaults_to_shanghai(tmp_path):
    assert settings(tmp_path).tz_name == "Asia/Shanghai"


def test_the_business_time_zone_can_be_set(tmp_path):
    assert settings(tmp_path, TZ_NAME="Asia/Urumqi").tz_name == "Asia/Urumqi"


def test_an_unknown_time_zone_is_an_error_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="TZ_NAME 'Asia/Guilin' is not a time zone"):
        settings(tmp_path, TZ_NAME="Asia/Guilin")


def test_public_base_url_loses_its_trailing_slash(tmp_path):
    assert settings(tmp_path, PUBLIC_BASE_URL="https://cc.zhigao.example/").public_base_url == (
        "https://cc.zhigao.example")


def test_public_base_url_defaults_to_the_requests_own(tmp_path):
    assert settings(tmp_path).public_base_url is None


@pytest.mark.parametrize("bad", ["cc.zhigao.example", "ftp://cc.zhigao.example", "https://"])
def test_a_public_base_url_that_is_not_an_http_url_is_an_error(tmp_path, bad):
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        settings(tmp_path, PUBLIC_BASE_URL=bad)


def test_the_process_environment_is_read_when_no_mapping_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite3'}")
    for name in ("SMS_BACKEND", "TZ_NAME", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_environment().database_url.endswith("from-env.sqlite3")
