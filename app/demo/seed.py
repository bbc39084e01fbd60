"""`demo seed`: customers and units in and out of warranty, Guangxi outlets and technicians (P-NET).

Idempotent: seeding twice leaves the same data (customers go through the install-list importer,
outlets and technicians are matched by name).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.importer import ImportReport, import_install_list
from app.network.models import Outlet, Technician
from app.staff.models import User
from app.staff.tokens import create_user

_CITIES = [("广西壮族自治区", "南宁市"), ("广西壮族自治区", "柳州市"), ("广西壮族自治区", "桂林市"),
           ("广东省", "广州市"), ("广东省", "佛山市")]
_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "黄丽", "赵强", "周杰", "吴芳",
          "徐涛", "孙丹", "马超", "朱琳", "胡斌", "郭颖", "何军", "高燕", "林峰", "罗敏"]
_MODELS = {"home_ac": "KFR-35GW/BpR3", "commercial_ac": "KFR-120LW/A", "water_heater": "KFRS-3.5/200"}
_SERIAL_PREFIX = {"home_ac": "HA", "commercial_ac": "CA", "water_heater": "WH"}

# name, city, contract, review; the last two show P-NET-1 refusing an outlet.
_OUTLETS = [
    ("南宁青秀志高服务网点", "南宁市", "signed", "passed"),
    ("柳州城中志高服务网点", "柳州市", "signed", "passed"),
    ("桂林七星志高服务网点", "桂林市", "signed", "passed"),
    ("玉林玉州志高服务网点", "玉林市", "pending", "pending"),
    ("北海海城志高服务网点", "北海市", "signed", "failed"),
]


# Console users of the demo, one per role, all with this password: a demo's, never a deployment's.
DEMO_PASSWORD = "demo-console-2026"
DEMO_USERS = (("demo-agent", "agent"), ("demo-agent2", "agent"), ("demo-supervisor", "supervisor"),
              ("demo-marketing", "marketing"), ("demo-admin", "admin"))


@dataclass(frozen=True)
class SeedReport:
    customers: ImportReport
    outlets_created: int
    technicians_created: int
    users_created: int = 0


# Ages of the units on 1 January of the seeding year. Whatever the day of that year, the first three
# stay inside every whole-unit cover (the shortest is 5 years, 1826 days, and a year may pass) and the
# last two are past every whole-unit cover (the longest is 6 years); a water heater of 2300 days is out
# of its 5-year cover but inside its 8-year tank cover (P-WAR-6).
_AGES_DAYS = (30, 400, 1400, 2300, 3100)


def demo_install_rows(today: date) -> list[tuple[int, dict]]:
    """Twenty customers, thirty units: every product line, each both in and out of warranty on `today`."""
    rows = []
    anchor = date(today.year, 1, 1)  # so re-seeding within a year changes nothing
    for i in range(30):
        line = ("home_ac", "commercial_ac", "water_heater")[i % 3]
        age = _AGES_DAYS[(i // 3) % len(_AGES_DAYS)]
        owner = i % 20
        province, city = _CITIES[owner % len(_CITIES)]
        rows.append((i + 2, {
            "name": _NAMES[owner], "phone": f"1380013{8000 + owner:04d}", "province": province, "city": city,
            "address": f"民族大道{100 + owner}号", "product_line": line, "model": _MODELS[line],
            "serial": f"{_SERIAL_PREFIX[line]}{2026000 + i:08d}",
            "installed_on": (anchor - timedelta(days=age)).isoformat(),
        }))
    return rows


def seed_network(session: Session, today: date) -> tuple[int, int]:
    """Outlets in Guangxi, each with a certified technician, one expired and one without certificate."""
    outlets_created = technicians_created = 0
    for n, (name, city, contract, review) in enumerate(_OUTLETS):
        outlet = session.scalar(select(Outlet).where(Outlet.name == name))
        if outlet is None:
            outlet = Outlet(name=name, province="广西壮族自治区", city=city, phone=f"+86771280000{n:02d}",
                            contract_status=contract, review_status=review)
            session.add(outlet)
            session.flush()
            outlets_created += 1
        staff = [
            (f"{city[:2]}技师甲", f"GX-{n:02d}-001", today + timedelta(days=365)),
            (f"{city[:2]}技师乙", f"GX-{n:02d}-002", today - timedelta(days=30)),  # expired: P-NET-2
            (f"{city[:2]}学徒", None, None),                                       # not yet certified
        ]
        for tech_name, cert, expires in staff:
            exists = session.scalar(select(Technician).where(Technician.outlet_id == outlet.id,
                                                             Technician.name == tech_name))
            if exists is None:
                session.add(Technician(outlet_id=outlet.id, name=tech_name, certificate_number=cert,
                                       certificate_expires_on=expires))
                technicians_created += 1
    session.flush()
    return outlets_created, technicians_created


def seed_demo(session: Session, *, now: datetime, today: date) -> SeedReport:
    """Load the demo data; the caller commits."""
    customers = import_install_list(session, demo_install_rows(today), now=now, today=today)
    outlets, technicians = seed_network(session, today)
    return SeedReport(customers, outlets, technicians, seed_console_users(session, now))


def seed_console_users(session: Session, now: datetime) -> int:
    """The demo's console users (DEMO_USERS, password DEMO_PASSWORD); those that exist are left alone."""
    created = 0
    for name, role in DEMO_USERS:
        if session.scalar(select(User).where(User.name == name)) is None:
            create_user(session, name, role, now=now, password=DEMO_PASSWORD)
            created += 1
    return created
