"""The callers of bench/call_storm.py: Locust users, each making whole signed calls as Twilio does.

    python bench/storm_driver.py --base http://127.0.0.1:18791 --callers 200 --seconds 120 --out run.json

A call: the welcome, key 1 (repair), key 1 (the caller's unit), key 4 (a fault code on the
display), the code (the ticket-creating step), * (the ticket number read back), 2 (goodbye), then
the status callback. Half the calls come in on a Twilio number with `ForwardedFrom` the 400
hotline (the carrier's forwarding), half on the hotline itself. Each caller thinks between steps
(uniform 0.5-1.5 x --think seconds; a real caller also listens to each prompt).

What Twilio does when a step fails is done here too: an answer that is not 200 TwiML within 15 s
(an error, a refused connection, a timeout) sends the caller to the number's fallback URL,
`/twilio/voice/fallback`, signed the same way; the call ends there. A 200 answer carrying the
service's own apology ends the call as well (the caller heard it). At --seconds no new call starts
and the calls under way are finished. Every request (time, step, ms, outcome) and every call
(CallSid, outcome) is written to --out as JSON.
"""
from locust import FastHttpUser, task  # first: Locust patches the standard library for gevent

import argparse
import json
import random
import secrets
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import gevent
from locust.env import Environment
from twilio.request_validator import RequestValidator

TOKEN = "bench-token-0123456789abcdef0123"
ACCOUNT = "AC" + "0" * 32
HOTLINE = "+864006757888"
TWILIO_NUMBER = "+17005550001"
KNOWN_CUSTOMERS = 10_000
APOLOGY = "非常抱歉"
# (step, keys pressed, what the caller must hear for the call to go on)
SCRIPT = (("welcome", None, "报修请按1"), ("menu", "1", "请选择需要服务的设备"), ("unit", "1", "请选择故障类型"),
          ("fault", "4", "故障代码"), ("ticket", "1", "您的工单号是"), ("readback", "*", "您的工单号是"),
          ("end", "2", ""))

requests_log: list[list] = []  # [t, step, ms, outcome, status]
calls_log: list[dict] = []
state = {"stopping": False, "in_call": 0, "base": "", "think": 1.0}
validator = RequestValidator(TOKEN)


def known_number(i: int) -> str:
    return f"+86138{i:08d}"


class Caller(FastHttpUser):
    network_timeout = 15.0  # Twilio's wait for a voice webhook, then the fallback URL
    connection_timeout = 15.0
    insecure = True

    def _post(self, step: str, path: str, params: dict) -> tuple[int, str]:
        body = urlencode(params)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(state["base"] + path, params)}
        started = time.time()
        status, text = 0, ""
        try:
            with self.client.request("POST", path, name=step, data=body, headers=headers,
                                     catch_response=True) as response:
                status, text = response.status_code or 0, response.text or ""
                response.success()
        except Exception as exc:  # a transport failure is what Twilio sees too
            text = f"{type(exc).__name__}"
        ms = (time.time() - started) * 1000
        outcome = "ok" if status == 200 and text.lstrip().startswith(("<?xml", "<Response")) else "error"
        if outcome == "ok" and APOLOGY in text:
            outcome = "apology"
        requests_log.append([round(started, 3), step, round(ms, 2), outcome, status])
        return (status if outcome != "error" else 0), text

    def _think(self) -> None:
        if state["think"]:
            gevent.sleep(random.uniform(0.5, 1.5) * state["think"])

    @task
    def call(self) -> None:
        if state["stopping"]:
            gevent.sleep(1)
            return
        state["in_call"] += 1
        try:
            self._one_call()
        finally:
            state["in_call"] -= 1

    def _one_call(self) -> None:
        sid = "CA" + secrets.token_hex(16)
        base = {"CallSid": sid, "AccountSid": ACCOUNT, "From": known_number(random.randrange(KNOWN_CUSTOMERS)),
                "Direction": "inbound", "CallStatus": "in-progress"}
        base.update({"To": TWILIO_NUMBER, "ForwardedFrom": HOTLINE} if random.random() < 0.5 else {"To": HOTLINE})
        started, path, outcome = time.time(), "/twilio/voice", "completed"
        for step, keys, expected in SCRIPT:
            params = {**base, "Digits": keys} if keys else dict(base)
            status, text = self._post(step, path, params)
            if status != 200:  # Twilio: the fallback URL
                status, text = self._post("fallback", "/twilio/voice/fallback",
                                          {**base, "ErrorCode": "11200", "ErrorUrl": state["base"] + path})
                outcome = "fallback" if status == 200 and APOLOGY in text else "lost"
                break
            if APOLOGY in text:
                outcome = "apology"
                break
            if expected not in text:
                outcome = f"unexpected at {step}"
                break
            root = ET.fromstring(text)
            gather = root.find(".//Gather")
            if step == "end":
                outcome = "completed" if root.find("Hangup") is not None else "unexpected at end"
                break
            if gather is None:
                outcome = f"unexpected at {step}"
                break
            parts = urlsplit(urljoin(state["base"] + path, gather.get("action")))
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self._think()
        status, _ = self._post("status", "/twilio/voice/status",
                               {**base, "CallStatus": "completed", "CallDuration": str(int(time.time() - started))})
        calls_log.append({"sid": sid, "outcome": outcome, "started": round(started, 3), "status_ok": status == 200})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--callers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    state["base"], state["think"] = args.base, args.think
    environment = Environment(user_classes=[Caller], host=args.base, catch_exceptions=True)
    runner = environment.create_local_runner()
    began = time.time()
    runner.start(args.callers, spawn_rate=args.spawn_rate)
    print(f"READY {began}", flush=True)
    gevent.sleep(args.seconds)
    state["stopping"] = True
    while state["in_call"]:
        gevent.sleep(0.2)
    ended = time.time()
    runner.quit()
    Path(args.out).write_text(json.dumps({"began": began, "ended": ended, "callers": args.callers,
                                          "think": args.think, "requests": requests_log, "calls": calls_log}))
    errors = [e for e in environment.runner.exceptions.values()]
    if errors:
        print(f"driver exceptions: {errors[:3]}", file=sys.stderr)


if __name__ == "__main__":
    main()
