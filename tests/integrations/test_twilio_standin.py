"""The real twilio SDK, through app.integrations.twilio_gateway, against the local stand-in."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException

from app.messaging.backends import outcome_of_error

from app.integrations.twilio_gateway import (
    PlacedCall,
    SentMessage,
    TwilioSendError,
    make_twilio_client,
    place_call,
    send_sms,
)
from tests.twilio_standin import TwilioStandIn

REPO_ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = "+8613800138000"
HOTLINE = "+864006757888"
CALLBACK = "https://cc.example.com/twilio/sms/status"


@pytest.fixture
def standin():
    """A fresh stand-in on a free loopback port for each test."""
    with TwilioStandIn() as server:
        yield server


@pytest.fixture
def client(standin):
    """The real SDK client, pointed at the stand-in (a timeout no answer loses to on a busy machine)."""
    return make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url, timeout=60)


def _posts(standin: TwilioStandIn) -> list[dict]:
    return [r for r in standin.requests if r["method"] == "POST"]


def _send(client, **overrides) -> SentMessage:
    kwargs = {"to": CUSTOMER, "body": "您的工单已受理", "from_": HOTLINE, "status_callback": CALLBACK}
    kwargs.update(overrides)
    return send_sms(client, **kwargs)


# -- the URL override --------------------------------------------------------------------------


def test_sdk_request_reaches_standin_on_twilios_path(standin, client):
    _send(client)
    (request,) = standin.requests
    assert request["path"] == f"/2010-04-01/Accounts/{standin.account_sid}/Messages.json"
    assert request["auth_ok"] is True
    assert request["form"]["To"] == CUSTOMER


# -- messages ----------------------------------------------------------------------------------


def test_send_sms_records_body_callback_and_queued_status(standin, client):
    sent = _send(client)
    (message,) = standin.messages
    assert message["sid"] == sent.sid and sent.sid.startswith("SM") and len(sent.sid) == 34
    assert (message["to"], message["from"], message["body"]) == (CUSTOMER, HOTLINE, "您的工单已受理")
    assert message["status_callback"] == CALLBACK
    assert sent == SentMessage(sid=message["sid"], status="queued", error_code=None)


def test_send_sms_through_messaging_service_is_accepted(standin, client):
    sent = send_sms(client, to=CUSTOMER, body="hi", messaging_service_sid="MG" + "1" * 32)
    assert sent.status == "accepted"
    assert standin.messages[0]["messaging_service_sid"] == "MG" + "1" * 32
    assert standin.messages[0]["from"] is None


def test_sdk_parses_created_message_resource(client):
    message = client.messages.create(to=CUSTOMER, from_=HOTLINE, body="x" * 161)
    assert message.num_segments == "2"
    assert message.direction == "outbound-api"
    assert message.date_created is not None and message.date_created.tzinfo is not None


def test_sdk_fetch_returns_created_message(client):
    sid = _send(client).sid
    fetched = client.messages(sid).fetch()
    assert (fetched.sid, fetched.to, fetched.body, fetched.status) == (sid, CUSTOMER, "您的工单已受理", "queued")


def test_sdk_fetch_of_unknown_message_is_20404(client):
    with pytest.raises(TwilioRestException) as raised:
        client.messages("SM" + "f" * 32).fetch()
    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_sdk_list_filters_by_to_newest_first(client):
    first = _send(client, body="one").sid
    _send(client, to="+8613900139000", body="other")
    second = _send(client, body="two").sid
    assert [m.sid for m in client.messages.list(to=CUSTOMER)] == [second, first]


def test_sdk_stream_follows_next_page_uri(standin, client):
    for n in range(5):
        _send(client, body=f"n{n}")
    bodies = [m.body for m in client.messages.stream(page_size=2)]
    assert bodies == ["n4", "n3", "n2", "n1", "n0"]
    assert len([r for r in standin.requests if r["method"] == "GET"]) == 3


def test_missing_body_is_rejected_like_twilio(standin, client):
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=CUSTOMER, from_=HOTLINE)
    assert (raised.value.status, raised.value.code) == (400, 21602)
    assert standin.messages == []


# -- errors ------------------------------------------------------------------------------------


def test_rate_limit_is_retried(standin, client):
    standin.fail_next(http_status=429, code=20429)
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert (raised.value.status, raised.value.code) == (429, 20429)
    assert outcome_of_error(raised.value).kind == "retry" and not raised.value.ambiguous


@pytest.mark.parametrize("code", [21610, 21211, 21614, 30006])
def test_permanent_codes_fail_for_good(standin, client, code):
    standin.fail_next(http_status=400, code=code)
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert raised.value.code == code
    assert outcome_of_error(raised.value).kind == "failed"


@pytest.mark.parametrize("http_status", [500, 502, 503])
def test_server_errors_are_reconciled_not_retried_blind(standin, client, http_status):
    # A create is not idempotent: Twilio may have made the message before failing.
    standin.fail_next(http_status=http_status, code=20500)
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert raised.value.status == http_status
    assert outcome_of_error(raised.value).kind == "unknown"


def test_error_message_is_twilios_own_words(standin, client):
    standin.fail_next(code=21211, message="The 'To' number +86138 is not a valid phone number.")
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert raised.value.message == "The 'To' number +86138 is not a valid phone number."


def test_fail_next_only_fails_n_creates(standin, client):
    standin.fail_next(2, code=21211)
    for _ in range(2):
        with pytest.raises(TwilioSendError):
            _send(client)
    assert _send(client).status == "queued"
    assert len(standin.messages) == 1


def test_fail_for_fails_every_create_to_that_number(standin, client):
    standin.fail_for(CUSTOMER, http_status=400, code=21610)
    for _ in range(2):
        with pytest.raises(TwilioSendError) as raised:
            _send(client)
        assert raised.value.code == 21610
    assert _send(client, to="+8613900139000").status == "queued"


def test_wrong_auth_token_is_401_20003(standin):
    client = make_twilio_client(standin.account_sid, "wrong-token", api_url=standin.url)
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert outcome_of_error(raised.value).kind == "halt"
    assert standin.messages == [] and standin.requests[0]["auth_ok"] is False


def test_timeout_after_sending_is_ambiguous(standin):
    client = make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url, timeout=0.2)
    standin.set_delay(60)  # never answered in time; cut short by the fixture's stop()
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert (raised.value.status, raised.value.code) == (0, None)
    assert raised.value.ambiguous and outcome_of_error(raised.value).kind == "unknown"
    # ...and rightly so: the stand-in creates it (the client may give up before it has).
    assert standin.wait_for(lambda s: len(s.messages) == 1)


def test_connection_dropped_after_sending_is_ambiguous():
    # The stand-in always answers, so a bare socket plays the server that hangs up mid-request.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def read_then_hang_up():
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)

        thread = threading.Thread(target=read_then_hang_up, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        # Long enough that the hang-up, not the client's timeout, ends the request on a busy machine.
        client = make_twilio_client("AC" + "0" * 32, "t", api_url=url, timeout=60)
        with pytest.raises(TwilioSendError) as raised:
            _send(client)
        thread.join(timeout=60)
    assert raised.value.status == 0 and raised.value.ambiguous


def test_connection_refused_is_not_ambiguous():
    with socket.socket() as sock:  # a port that was free a moment ago and is now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_twilio_client("AC" + "0" * 32, "t", api_url=f"http://127.0.0.1:{port}", timeout=1.0)
    with pytest.raises(TwilioSendError) as raised:
        _send(client)
    assert raised.value.status == 0 and not raised.value.ambiguous


# -- no hidden retries -------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["created", "rejected", "server_error", "rate_limited"])
def test_exactly_one_post_per_create(standin, client, outcome):
    if outcome == "rejected":
        standin.fail_next(http_status=400, code=21211)
    elif outcome == "server_error":
        standin.fail_next(http_status=503, code=20503)
    elif outcome == "rate_limited":
        standin.fail_next(http_status=429, code=20429)
    try:
        _send(client)
    except TwilioSendError:
        pass
    assert len(_posts(standin)) == 1


def test_exactly_one_post_when_the_answer_times_out(standin):
    client = make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url, timeout=0.2)
    standin.set_delay(60)  # never answered in time; cut short by the fixture's stop()
    with pytest.raises(TwilioSendError):
        _send(client)
    # A hidden retry would have connected before the error reached us, so before this marker
    # request: connections are numbered in the order they were accepted.
    marker = make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url, timeout=60)
    marker.messages.list(to="+8613900000000")
    assert standin.wait_for(lambda s: len(_posts(s)) >= 1)
    (post,) = _posts(standin)
    (listing,) = [r for r in standin.requests if r["method"] == "GET"]
    assert (post["connection"], listing["connection"]) == (1, 2)


# -- calls -------------------------------------------------------------------------------------


def test_place_call_lands_in_standin(standin, client):
    placed = place_call(client, to=CUSTOMER, from_=HOTLINE, url="https://cc.example.com/twilio/voice",
                        status_callback="https://cc.example.com/twilio/voice/status")
    (call,) = standin.calls
    assert placed == PlacedCall(sid=call["sid"], status="queued") and placed.sid.startswith("CA")
    assert (call["to"], call["from"], call["url"]) == (CUSTOMER, HOTLINE, "https://cc.example.com/twilio/voice")
    assert call["status_callback"] == "https://cc.example.com/twilio/voice/status"


def test_sdk_fetch_returns_created_call(client):
    sid = place_call(client, to=CUSTOMER, from_=HOTLINE, url="https://cc.example.com/twilio/voice").sid
    assert client.calls(sid).fetch().to == CUSTOMER


def test_call_failure_is_translated(standin, client):
    standin.fail_next(http_status=503, code=20503, resource="Calls")
    with pytest.raises(TwilioSendError) as raised:
        place_call(client, to=CUSTOMER, from_=HOTLINE, url="https://cc.example.com/twilio/voice")
    assert (raised.value.status, raised.value.code) == (503, 20503) and standin.calls == []


# -- the stand-in itself -----------------------------------------------------------------------


def test_reset_forgets_everything(standin, client):
    _send(client)
    standin.fail_next(code=21211)
    standin.reset()
    assert standin.messages == [] and standin.requests == []
    assert _send(client).status == "queued"


def test_log_file_gets_one_json_line_per_message(tmp_path):
    log = tmp_path / "sent.jsonl"
    with TwilioStandIn(log_path=log) as standin:
        client = make_twilio_client(standin.account_sid, standin.auth_token, api_url=standin.url)
        sid = _send(client).sid
    assert [json.loads(line) for line in log.read_text("utf-8").splitlines()] == [
        {"sid": sid, "to": CUSTOMER, "body": "您的工单已受理"}
    ]


def test_runs_as_a_process_until_sigterm(tmp_path):
    log = tmp_path / "sent.jsonl"
    with subprocess.Popen(
        [sys.executable, "-m", "tests.twilio_standin", "--port", "0", "--log", str(log)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    ) as proc:
        try:
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            client = make_twilio_client("AC" + "0" * 32, "test-token", api_url=url)
            sid = _send(client).sid
            assert json.loads(log.read_text("utf-8"))["sid"] == sid
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=5) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
