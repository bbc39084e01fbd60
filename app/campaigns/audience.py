"""Who a campaign reaches, as set-based SQL: the preview's counts and the recipients' one INSERT.

A unit matches when every given filter holds (AND). Its owner is reached on one number: the
owner's first mobile that texts can reach (no landline, no number Twilio called invalid). One row
per number however many units its owner has (`duplicate_phone` counts the units beyond the
first). Exclusions, each number under the first that applies, in this order:

- `no_mobile`: owners with no mobile texts reach (a recall calls them instead: `needs_call`);
- `suppressed`: the number refused texts (a recall calls instead: `needs_call`);
- `no_consent`: a marketing campaign and no recorded consent (P-PRIV-1);
- `frequency_cap`: the number was handed a capped campaign text within the cap's days (P-PRIV-5).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, String, and_, case, exists, func, insert, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.campaigns.kinds import KINDS
from app.campaigns.models import Campaign, CampaignRecipient
from app.customers.models import Address, Customer, CustomerPhone
from app.messaging.models import SmsBlock, Suppression
from app.product_lines import PRODUCT_LINES
from app.units.models import Unit, WarrantyRestartRecord
from app.warranty.terms import add_years, term_for

LIST_KEYS = ("product_lines", "provinces", "cities", "exclude_cities", "models")


@dataclass(frozen=True)
class Audience:
    """The filters of interfaces.md (`exclude_cities` lets a province's campaign leave out the
    cities that have their own season dates)."""

    product_lines: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    exclude_cities: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    serial_from: str | None = None
    serial_to: str | None = None
    installed_from: date | None = None
    installed_to: date | None = None
    in_warranty_only: bool = False

    @classmethod
    def from_json(cls, data: dict | None) -> "Audience":
        """The audience as stored on a campaign (written by `to_json`)."""
        data = data or {}
        days = {k: date.fromisoformat(data[k]) if data.get(k) else None for k in ("installed_from", "installed_to")}
        return cls(**{k: tuple(data.get(k) or ()) for k in LIST_KEYS}, serial_from=data.get("serial_from"),
                   serial_to=data.get("serial_to"), in_warranty_only=bool(data.get("in_warranty_only")), **days)

    def to_json(self) -> dict:
        """Only the filters given, dates as YYYY-MM-DD."""
        out = {}
        for key, value in asdict(self).items():
            if isinstance(value, date):
                value = value.isoformat()
            if value not in ((), None, False, []):
                out[key] = list(value) if isinstance(value, (tuple, list)) else value
        return out


@dataclass(frozen=True)
class Rules:
    """What the exclusions are measured against: the kind, the time and the cap."""

    kind: str
    now: datetime
    today: date
    cap_days: int
    campaign_id: int | None = None


def _matching_units(audience: Audience, today: date):
    """Units that match, with their owner and the owner's consent; erased owners never match."""
    start = func.coalesce(Unit.installed_on, Unit.purchased_on)
    query = (select(Unit.id.label("unit_id"), Unit.customer_id.label("customer_id"),
                    Customer.marketing_consent.label("consent"))
             .join(Customer, Customer.id == Unit.customer_id)
             .outerjoin(Address, Address.id == Unit.address_id)
             .where(Customer.erased_at.is_(None)))
    for values, column in ((audience.product_lines, Unit.product_line), (audience.provinces, Address.province),
                           (audience.cities, Address.city), (audience.models, Unit.model)):
        if values:
            query = query.where(column.in_(values))
    if audience.exclude_cities:
        query = query.where(or_(Address.city.is_(None), Address.city.not_in(audience.exclude_cities)))
    if audience.serial_from:
        query = query.where(Unit.serial >= audience.serial_from)
    if audience.serial_to:
        query = query.where(Unit.serial <= audience.serial_to)
    if audience.installed_from:
        query = query.where(start >= audience.installed_from)
    if audience.installed_to:
        query = query.where(start <= audience.installed_to)
    if audience.in_warranty_only:
        query = query.where(_in_warranty(start, today))
    return query


def _in_warranty(start, today: date):
    """The whole-unit term of the unit's line from its start, or from a recorded restart (P-WAR-7)."""
    terms = []
    for line in PRODUCT_LINES:
        years = term_for(line, "whole_unit").years
        since = add_years(today, -years)
        restarted = exists().where(WarrantyRestartRecord.unit_id == Unit.id, WarrantyRestartRecord.restarted_on > since)
        terms.append(and_(Unit.product_line == line, or_(start > since, restarted)))
    return or_(*terms)


def _owner_mobiles(units):
    """Each owner of `units`' first mobile that texts can reach (only theirs: a city's campaign does
    not read every customer's numbers)."""
    blocked = exists().where(SmsBlock.phone == CustomerPhone.e164)
    return (select(CustomerPhone.customer_id, func.min(CustomerPhone.e164).label("phone"))
            .where(CustomerPhone.kind == "mobile", ~blocked, CustomerPhone.customer_id.in_(select(units.c.customer_id)))
            .group_by(CustomerPhone.customer_id).subquery())


def _numbers(audience: Audience, rules: Rules, *, unreachable: bool = False, name: str | None = None):
    """One row per number: phone, customer, first unit, units, reason (None: to be texted). With
    `unreachable`, also one row per owner with no mobile texts reach (phone None, reason `no_mobile`),
    so that the preview counts everything in one statement. Named: a CTE the statement reads more than once."""
    units = _matching_units(audience, rules.today).cte("matching_units")
    mobiles = _owner_mobiles(units)
    kind = KINDS[rules.kind]
    grouped = (select(mobiles.c.phone, units.c.customer_id, func.min(units.c.unit_id).label("unit_id"),
                      func.count().label("units"), units.c.consent)
               .select_from(units).join(mobiles, mobiles.c.customer_id == units.c.customer_id, isouter=unreachable)
               .group_by(mobiles.c.phone, units.c.customer_id, units.c.consent)).subquery()
    # Joins, not EXISTS inside the CASE: PostgreSQL may run such a subquery once per row.
    refusals = Suppression.__table__.alias("refusal")
    query = select(grouped).outerjoin(refusals, refusals.c.phone == grouped.c.phone)
    whens = [(grouped.c.phone.is_(None), "no_mobile")] if unreachable else []
    whens.append((refusals.c.phone.is_not(None), "needs_call" if kind.safety else "suppressed"))
    if kind.needs_consent:
        whens.append((~grouped.c.consent, "no_consent"))
    if kind.capped:
        recent = _recently_texted(rules)
        query = query.outerjoin(recent, recent.c.phone == grouped.c.phone)
        whens.append((recent.c.phone.is_not(None), "frequency_cap"))
    reason = case(*whens, else_=None).label("reason")
    numbers = query.with_only_columns(grouped.c.phone, grouped.c.customer_id, grouped.c.unit_id, grouped.c.units,
                                      reason)
    return numbers.cte(name) if name else numbers.subquery()


def _recently_texted(rules: Rules):
    """The numbers handed a capped campaign text within the cap (by other campaigns), once each."""
    other = CampaignRecipient.campaign_id != rules.campaign_id if rules.campaign_id else literal(True)
    return (select(CampaignRecipient.phone).where(
        CampaignRecipient.capped.is_(True), CampaignRecipient.status == "queued", other,
        CampaignRecipient.queued_at > rules.now - timedelta(days=rules.cap_days)).distinct().subquery())


def _landline_owners(audience: Audience, today: date):
    """Owners in the audience with no mobile texts reach, and their first number of any kind."""
    units = _matching_units(audience, today).cte("matching_units")
    mobiles = _owner_mobiles(units)
    return (select(func.min(CustomerPhone.e164).label("phone"), units.c.customer_id,
                   func.min(units.c.unit_id).label("unit_id"))
            .join(CustomerPhone, CustomerPhone.customer_id == units.c.customer_id)
            .where(~exists().where(mobiles.c.customer_id == units.c.customer_id))
            .group_by(units.c.customer_id))


@dataclass
class Preview:
    audience: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)


def count_audience(session: Session, audience: Audience, rules: Rules, *, sample: int = 0) -> Preview:
    """The number of texts the run would send and everyone left out, by reason, and with `sample`
    the first few (phone, customer_id, unit_id) it would text, by phone: one statement, so the
    audience is resolved once."""
    numbers = _numbers(audience, rules, unreachable=True, name="numbers")
    counts = select(literal("count").label("row"), numbers.c.reason, func.count().label("n"),
                    func.sum(numbers.c.units).label("units"), _null_text(), _null_int(), _null_int()
                    ).group_by(numbers.c.reason)
    statement = counts
    if sample:
        first = (select(numbers.c.phone, numbers.c.customer_id, numbers.c.unit_id).where(numbers.c.reason.is_(None))
                 .order_by(numbers.c.phone).limit(sample).subquery())
        statement = union_all(counts, select(literal("sample"), _null_text(), _null_int(), _null_int(), first.c.phone,
                                             first.c.customer_id, first.c.unit_id))
    excluded = {"no_mobile": 0, "duplicate_phone": 0, "suppressed": 0, "no_consent": 0, "frequency_cap": 0}
    if KINDS[rules.kind].safety:
        excluded["needs_call"] = 0
    texted, picked = 0, []
    for row, reason, count, units_of, phone, customer_id, unit_id in session.execute(statement):
        if row == "sample":
            picked.append((phone, customer_id, unit_id))
        elif reason == "no_mobile":  # owners, not numbers: their units are no duplicates
            excluded[reason] = count
        else:
            excluded["duplicate_phone"] += int(units_of) - count
            if reason is None:
                texted = count
            else:
                excluded[reason] = count
    return Preview(audience=texted, excluded=excluded, sample=sorted(picked))


def _null_text():
    """A typed NULL, so that PostgreSQL knows each UNION column's type."""
    return literal(None, String)


def _null_int():
    return literal(None, Integer)


def materialise(session: Session, campaign: Campaign, rules: Rules) -> int:
    """Write the campaign's recipients in one INSERT ... SELECT (a recall adds its landline owners
    as `needs_call`); returns the rows written. The caller marks the campaign and commits."""
    numbers = _numbers(Audience.from_json(campaign.audience), rules)
    capped = KINDS[campaign.kind].capped
    columns = ["campaign_id", "phone", "customer_id", "unit_id", "status", "reason", "capped"]
    rows = select(literal(campaign.id), numbers.c.phone, numbers.c.customer_id, numbers.c.unit_id,
                  case((numbers.c.reason.is_(None), "pending"), else_="excluded"), numbers.c.reason, literal(capped))
    table = CampaignRecipient.__table__
    session.execute(insert(table).from_select(columns, rows))
    if KINDS[campaign.kind].safety:
        landlines = _landline_owners(Audience.from_json(campaign.audience), rules.today).subquery()
        calls = select(literal(campaign.id), landlines.c.phone, landlines.c.customer_id, landlines.c.unit_id,
                       literal("excluded"), literal("needs_call"), literal(False))
        session.execute(insert(table).from_select(columns, calls))
    # Counted, not the rowcount: drivers differ in what they report for INSERT ... SELECT.
    return session.scalar(select(func.count()).where(CampaignRecipient.campaign_id == campaign.id))
