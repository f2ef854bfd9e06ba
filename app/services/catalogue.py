"""The clinic's catalogue: views, capture protocols and products (built-in plus clinic-defined)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.domain.catalogue import BUILTIN_VIEWS
from app.domain.roles import Role
from app.domain.values import TreatmentType, format_units
from app.services.access import require
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Product, Protocol, ProtocolStep, View


@dataclass(frozen=True, slots=True)
class ViewRecord:
    id: int
    code: str
    name: str
    instruction: str
    builtin: bool

    @property
    def muscles(self) -> tuple[str, ...]:
        seed = next((v for v in BUILTIN_VIEWS if v.code == self.code), None)
        return seed.muscles if seed else ()


@dataclass(frozen=True, slots=True)
class ProductRecord:
    id: int
    code: str
    name: str
    generic_name: str
    kind: str
    unit_label: str
    max_units_per_point: Decimal | None = None  # the clinic's largest single dose per point


def _product(p: Product) -> ProductRecord:
    cap = p.max_units_per_point
    return ProductRecord(
        p.id, p.code, p.name, p.generic_name, p.kind, p.unit_label,
        Decimal(cap).normalize() if cap is not None else None,
    )  # fmt: skip


def _view(v: View) -> ViewRecord:
    return ViewRecord(v.id, v.code, v.name, v.instruction, v.builtin)


def list_views(store: Store) -> list[ViewRecord]:
    with store.read() as s:
        rows = s.scalars(select(View).where(View.active).order_by(View.sort_order, View.id))
        return [_view(v) for v in rows]


def add_view(
    store: Store, name: str, instruction: str = "", *, actor_id: int | None = None
) -> ViewRecord:
    code = re.sub(r"\W+", "_", name.strip().lower()).strip("_") or "view"
    with store.write() as s:
        taken = set(s.scalars(select(View.code)))
        base, n = code, 2
        while code in taken:
            code, n = f"{base}_{n}", n + 1
        view = View(code=code, name=name.strip(), instruction=instruction, builtin=False)
        s.add(view)
        s.flush()
        audit_log.append(
            s, "setting_changed", actor_id, subject=f"view:{code}", detail="photo view added"
        )
        return _view(view)


def protocol_views(store: Store, treatment_type: TreatmentType | str) -> list[ViewRecord]:
    """The ordered views to capture for a treatment type."""
    with store.read() as s:
        protocol = s.scalar(
            select(Protocol).where(Protocol.treatment_type == TreatmentType(treatment_type).value)
        )
        if protocol is None:
            return []
        return [_view(step.view) for step in protocol.steps]


def set_protocol(
    store: Store,
    treatment_type: TreatmentType | str,
    view_codes: list[str],
    *,
    actor_id: int | None = None,
) -> None:
    """Replace a protocol's ordered list of views (the clinic edits its own protocols)."""
    ttype = TreatmentType(treatment_type).value
    with store.write() as s:
        views = {v.code: v for v in s.scalars(select(View))}
        missing = [c for c in view_codes if c not in views]
        if missing:
            raise NotFoundError(f"Unknown views: {', '.join(missing)}")
        protocol = s.scalar(select(Protocol).where(Protocol.treatment_type == ttype))
        if protocol is None:
            protocol = Protocol(treatment_type=ttype, name=f"{TreatmentType(ttype).label} photos")
            s.add(protocol)
        protocol.steps.clear()
        s.flush()
        protocol.steps.extend(
            ProtocolStep(position=i, view_id=views[c].id) for i, c in enumerate(view_codes)
        )
        audit_log.append(
            s,
            "setting_changed",
            actor_id,
            subject=f"protocol:{ttype}",
            detail="photo views: " + ", ".join(view_codes),
        )


def list_products(store: Store) -> list[ProductRecord]:
    with store.read() as s:
        rows = s.scalars(select(Product).where(Product.active).order_by(Product.id))
        return [_product(p) for p in rows]


def add_product(
    store: Store,
    name: str,
    generic_name: str = "",
    kind: str = "other",
    unit_label: str = "U",
    *,
    actor_id: int | None = None,
) -> ProductRecord:
    code = re.sub(r"\W+", "_", name.strip().lower()).strip("_") or "product"
    with store.write() as s:
        taken = set(s.scalars(select(Product.code)))
        base, n = code, 2
        while code in taken:
            code, n = f"{base}_{n}", n + 1
        p = Product(
            code=code,
            name=name.strip(),
            generic_name=generic_name,
            kind=kind,
            unit_label=unit_label,
        )
        s.add(p)
        s.flush()
        audit_log.append(
            s, "setting_changed", actor_id, subject=f"product:{code}", detail="product added"
        )
        return ProductRecord(p.id, p.code, p.name, p.generic_name, p.kind, p.unit_label)


MAX_UNITS_PER_POINT_LIMIT = Decimal(1000)  # a typing slip, not a dose


def set_max_units_per_point(
    store: Store, code: str, units: Decimal | None, actor_id: int | None
) -> ProductRecord:
    """The clinic's largest single dose per point of a product (None: not set). A point above
    it is said to be implausible where no area label dose applies; never a limit. A clinic
    setting: admins only (the service checks), audited as setting_changed."""
    if units is not None and not (Decimal(0) < units <= MAX_UNITS_PER_POINT_LIMIT):
        raise ValueError(f"A largest dose per point must be above 0 and at most "
                         f"{MAX_UNITS_PER_POINT_LIMIT} U.")  # fmt: skip
    require(store, actor_id, Role.ADMIN, "change the clinic's settings")
    with store.write() as s:
        product = s.scalar(select(Product).where(Product.code == code))
        if product is None:
            raise NotFoundError(f"No product {code!r}.")
        product.max_units_per_point = units
        audit_log.append(
            s,
            "setting_changed",
            actor_id,
            subject=f"product:{code}",
            detail="largest dose per point "
            + (f"set to {format_units(units)} {product.unit_label}" if units else "cleared"),
        )
        s.flush()
        return _product(product)
