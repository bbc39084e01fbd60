"""Campaign fixtures: owners placed where a test wants them, drafts, and a policy without surprises."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from app.campaigns.audience import Audience
from app.campaigns.models import Campaign
from app.campaigns.policy import CampaignPolicy
from app.campaigns.services import Draft, draft_campaign, move
from app.customers.models import Address, Customer, CustomerPhone
from app.units.models import Unit

_serials = itertools.count(1)
_phones = itertools.count(1)
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def new_phone() -> str:
    return f"+86139{next(_phones):08d}"


def make_owner(session, *, phone: str | None = "", kind: str = "mobile", province: str = "广西壮族自治区",
               city: str = "南宁市", product_line: str = "home_ac", model: str = "KFR-35GW", serial: str | None = None,
               installed_on: date = date(2024, 5, 1), consent: bool = False, units: int = 1) -> Customer:
    """A customer with one number (none when `phone` is None) and `units` units at one address."""
    customer = Customer(name="王伟", created_at=T0, marketing_consent=consent)
    if phone is not None:
        customer.phones.append(CustomerPhone(e164=phone or new_phone(), kind=kind))
    customer.addresses.append(Address(province=province, city=city, line="民族大道1号"))
    session.add(customer)
    session.flush()
    for n in range(units):
        session.add(Unit(serial=serial if serial and n == 0 else f"SN{next(_serials):08d}", customer_id=customer.id,
                         address_id=customer.addresses[0].id, product_line=product_line, model=model,
                         installed_on=installed_on, created_at=T0))
    session.flush()
    return customer


@pytest.fixture
def policy() -> CampaignPolicy:
    return CampaignPolicy()


@pytest.fixture
def database(app):
    return app.extensions["database"]


TEXT = "志高提醒：{{ season_label }}季节将到，请试机。"


def approved(session, clock, *, kind: str = "pre_season_cooling", audience: Audience = Audience(),
             template: str = TEXT, rate: int = 600, hours: int = 8, starts_in: timedelta = timedelta(0)) -> Campaign:
    """A campaign drafted by marketing and approved by a supervisor, starting now (or `starts_in`)."""
    now = clock.now()
    campaign = draft_campaign(session, Draft(kind=kind, name="测试", template=template, audience=audience,
                                             starts_at=now + starts_in, ends_by=now + starts_in + timedelta(hours=hours),
                                             rate_per_minute=rate), actor="marketer", now=now, quiet=None)
    move(session, campaign, "approve", actor="boss", role="supervisor", now=now)
    session.commit()
    return campaign
