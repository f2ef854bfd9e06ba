"""What every page needs from the running app: the store, who is working, the product names.

Passed down explicitly so no page reaches into the main window for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.services import catalogue, practitioners
from app.services.catalogue import ProductRecord
from app.services.practitioners import PractitionerRecord

if TYPE_CHECKING:  # ui/ uses the store only through app.services
    from app.services.credentials import KeySigner
    from app.services.store import Store


@dataclass
class AppContext:
    store: Store
    practitioner: PractitionerRecord
    products: dict[str, ProductRecord] = field(default_factory=dict)
    # the signed-in practitioner's opened signing key; None until sign-in exists or when they
    # signed in without it (it is held only while they are signed in)
    signer: KeySigner | None = None

    @classmethod
    def open(cls, store: Store) -> AppContext:
        return cls(
            store,
            practitioners.default_practitioner(store),
            {p.code: p for p in catalogue.list_products(store)},
        )

    def product_name(self, code: str) -> str:
        product = self.products.get(code)
        return product.name if product else code

    def unit_label(self, code: str) -> str:
        product = self.products.get(code)
        return product.unit_label if product else "U"
