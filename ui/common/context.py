"""What every page needs from the running app: the store, who is signed in, the product names.

Passed down explicitly so no page reaches into the main window for it. `practitioner` is the
signed-in practitioner (every write records them); after another practitioner signs in at the
lock screen the same context names the new one (ui/signin/lock.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.services import catalogue
from app.services.catalogue import ProductRecord
from app.services.practitioners import PractitionerRecord

if TYPE_CHECKING:  # ui/ uses the store only through app.services
    from app.services.credentials import KeySigner
    from app.services.signin import SignedIn
    from app.services.store import Store


@dataclass
class AppContext:
    store: Store
    practitioner: PractitionerRecord
    products: dict[str, ProductRecord] = field(default_factory=dict)
    # the signed-in practitioner's opened signing key; None when they have none (it is held
    # only while they are signed in)
    signer: KeySigner | None = None

    @classmethod
    def signed_in(cls, store: Store, who: SignedIn) -> AppContext:
        """The context of a sign-in (app/services/signin.py): the app's only way in."""
        return cls.for_practitioner(store, who.practitioner, who.signer)

    @classmethod
    def for_practitioner(
        cls, store: Store, who: PractitionerRecord, signer: KeySigner | None = None
    ) -> AppContext:
        """A context for this practitioner: what a sign-in makes; tests and scripts that
        build pages directly use it too."""
        return cls(store, who, {p.code: p for p in catalogue.list_products(store)}, signer)

    def product_name(self, code: str) -> str:
        product = self.products.get(code)
        return product.name if product else code

    def unit_label(self, code: str) -> str:
        product = self.products.get(code)
        return product.unit_label if product else "U"
