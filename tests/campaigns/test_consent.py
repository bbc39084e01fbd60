"""Marketing consent (P-PRIV-1) from each source, each a ConsentRecord with source, time and actor,
and withdrawn by any refusal word; the preview's `no_consent` counts who is left out."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.customers.models import ConsentRecord, Customer, CustomerPhone
from app.campaigns.audience import Audience, Rules, count_audience
from tests.campaigns.conftest import make_owner
from tests.conftest import TWILIO_TEST_SID

HEADER = "name,phone,province,city,address,product_line,model,serial,installed_on"
LINE = "+12025550100"


def consents(session, customer) -> list[tuple[bool, str, str]]:
    session.expire_all()
    return [(c.marketing, c.source, c.recorded_by) for c in session.scalars(
        select(ConsentRecord).where(ConsentRecord.customer_id == customer.id).order_by(ConsentRecord.id))]


def customer_of(session, phone: str) -> Customer:
    session.expire_all()
    return session.scalar(select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == phone))


def install_list(tmp_path, rows: list[str], consent: bool = True):
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER + (",marketing_consent" if consent else ""), *rows]) + "\n", encoding="utf-8")
    return path


def test_the_install_list_records_consent_with_the_importer_as_actor(runner, session, tmp_path):
    path = install_list(tmp_path, [
        "王伟,13800138000,广西壮族自治区,南宁市,民族大道1号,home_ac,KFR-35GW,HA0001,2024-05-01,yes",
        "李娜,13907712345,广西壮族自治区,柳州市,城中路8号,home_ac,KFR-35GW,HA0002,2024-05-01,",
        "张三,13907712346,广西壮族自治区,柳州市,城中路9号,home_ac,KFR-35GW,HA0003,2024-05-01,maybe",
    ])
    result = runner.invoke(args=["customers", "import", str(path), "--actor", "dealer-nanning"])
    assert result.exit_code == 0, result.output
    assert "consents recorded 1" in result.output and "line 4: skipped: marketing_consent must be yes or no" in result.output
    wang, li = customer_of(session, "+8613800138000"), customer_of(session, "+8613907712345")
    assert wang.marketing_consent is True and consents(session, wang) == [(True, "import", "dealer-nanning")]
    assert li.marketing_consent is False and consents(session, li) == []  # empty: not asked, nothing recorded
    again = runner.invoke(args=["customers", "import", str(path), "--actor", "dealer-nanning"])
    assert "consents recorded" not in again.output and len(consents(session, wang)) == 1


def test_a_list_without_the_column_still_imports(runner, session, tmp_path):
    path = install_list(tmp_path, ["王伟,13800138000,广西壮族自治区,南宁市,民族大道1号,home_ac,KFR-35GW,HA0001,2024-05-01"],
                        consent=False)
    assert runner.invoke(args=["customers", "import", str(path)]).exit_code == 0
    assert customer_of(session, "+8613800138000").marketing_consent is False


def test_the_api_records_consent_with_its_source_and_the_staff_member(client, session, staff):
    owner = make_owner(session)
    session.commit()
    answer = client.put(f"/api/v1/customers/{owner.id}/consent", json={"marketing": True, "source": "paper_form"},
                        headers=staff("agent"))
    assert answer.status_code == 200
    assert consents(session, owner) == [(True, "paper_form", "agent-user")]


def text(twilio_post, phone: str, body: str, n: int):
    return twilio_post("/twilio/sms", {"MessageSid": f"SM{n:032d}", "From": phone, "To": LINE, "Body": body,
                                       "AccountSid": TWILIO_TEST_SID})


def test_subscribing_by_text_records_consent_and_a_refusal_word_withdraws_it(session, twilio_post):
    owner = make_owner(session)
    session.commit()
    phone = owner.phones[0].e164
    assert text(twilio_post, phone, "订阅", 1).status_code == 200
    assert customer_of(session, phone).marketing_consent is True
    text(twilio_post, phone, "订阅", 2)  # already given: nothing more recorded
    text(twilio_post, phone, "退订", 3)
    assert customer_of(session, phone).marketing_consent is False
    assert consents(session, owner) == [(True, "sms", "customer:sms"), (False, "sms", "customer:sms")]


@pytest.mark.parametrize("word", ["R", "拒收", "STOP", "取消"])
def test_every_refusal_word_withdraws_consent(session, twilio_post, word):
    owner = make_owner(session, consent=True)
    session.commit()
    text(twilio_post, owner.phones[0].e164, word, 4)
    assert consents(session, owner) == [(False, "sms", "customer:sms")]


def test_start_lifts_a_refusal_but_is_not_consent(session, twilio_post):
    owner = make_owner(session)
    session.commit()
    text(twilio_post, owner.phones[0].e164, "退订", 5)
    text(twilio_post, owner.phones[0].e164, "START", 6)
    assert customer_of(session, owner.phones[0].e164).marketing_consent is False


def test_the_preview_counts_who_has_no_consent(session, clock):
    make_owner(session, consent=True)
    make_owner(session)
    make_owner(session)
    rules = Rules(kind="cleaning_drive", now=clock.now(), today=clock.now().date(), cap_days=7)
    preview = count_audience(session, Audience(), rules)
    assert (preview.audience, preview.excluded["no_consent"]) == (1, 2)
