"""Service outlets and technicians, and who may be sent to a customer."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base


class Outlet(Base):
    """A contracted service outlet; it serves only with a signed contract and a passed review (P-NET-1)."""

    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))
    contract_status: Mapped[str] = mapped_column(String(16))  # signed, pending, terminated
    review_status: Mapped[str] = mapped_column(String(16))  # passed, pending, failed
    contract_signed_on: Mapped[date | None] = mapped_column(Date())
    contract_ends_on: Mapped[date | None] = mapped_column(Date())
    reviewed_on: Mapped[date | None] = mapped_column(Date())
    technicians: Mapped[list["Technician"]] = relationship(back_populates="outlet", order_by="Technician.id")

    @property
    def may_serve(self) -> bool:
        """P-NET-1: only an outlet under signed contract that passed review takes jobs."""
        return self.contract_status == "signed" and self.review_status == "passed"


class Technician(Base):
    """An outlet's technician with the certificate (上岗证) that lets them work (P-NET-2)."""

    __tablename__ = "technicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    certificate_issued_on: Mapped[date | None] = mapped_column(Date())
    certificate_expires_on: Mapped[date | None] = mapped_column(Date())
    # The product lines this technician is trained for; empty: every line.
    product_lines: Mapped[list] = mapped_column(JSON, default=list)
    outlet: Mapped[Outlet] = relationship(back_populates="technicians")

    def certified_on(self, day: date) -> bool:
        """P-NET-2: a certificate number that has not expired on `day`."""
        return bool(self.certificate_number) and self.certificate_expires_on is not None and (
            self.certificate_expires_on >= day
        )

    def works_on(self, product_line: str) -> bool:
        """Trained for `product_line`; an empty list means every line."""
        return not self.product_lines or product_line in self.product_lines

    def dispatch_refusal(self, day: date, product_line: str | None = None) -> str | None:
        """Why this technician cannot be sent out on `day` (to a unit of `product_line`), or None when they can."""
        if product_line is not None and not self.works_on(product_line):
            return f"technician {self.id} is not trained for {product_line} (P-NET-2)"
        if not self.certificate_number:
            return f"technician {self.id} has no certificate (P-NET-2)"
        if self.certificate_expires_on is None:
            return f"technician {self.id}'s certificate has no expiry date on record (P-NET-2)"
        if not self.certified_on(day):
            return f"technician {self.id}'s certificate expired on {self.certificate_expires_on} (P-NET-2)"
        if not self.outlet.may_serve:
            return f"outlet {self.outlet.name!r} is not under signed, reviewed contract (P-NET-1)"
        return None
