"""Screenshots of sign-off and amendments for docs/user-guide.md (ADR 0019):

    python docs/make_signoff_screenshots.py [OUTDIR]

On the demo clinic, signed in as its clinician: the home screen's "To sign" count, the list of
charts to sign and to co-sign, a visit whose chart was signed, amended and signed again, an
injector's signed chart with Co-sign, the editor of a signed chart, and the reason asked when
it is changed. At 1366x768 (100 %) and 1440x960 with QT_SCALE_FACTOR=2 (2880x1920).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from screenshot_sizes import ROOT, main


def render(outdir: Path, size: tuple[int, int]) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from app.domain.editing import put_point
    from app.services import credentials, patients, visits
    from app.services.demo import build_demo, demo_secrets
    from app.store.database import open_store, sqlite_url
    from ui.app import application, build_window, demo_sign_in
    from ui.common.context import AppContext
    from ui.editor.editor_window import ChartEditor
    from ui.screens import _hosted, linger, picture, settle

    application()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "demo.db"))
        build_demo(store)
        window = build_window(AppContext.signed_in(store, demo_sign_in(store)), demo=True)
        ctx = window.ctx
        secrets = demo_secrets(ctx.practitioner.name)
        assert secrets is not None
        ctx.signer = credentials.open_signer(store, ctx.practitioner.id, secrets.password)
        window.resize(*size)
        window.show()
        tag = f"{round(size[0] * window.devicePixelRatioF())}x"
        tag += f"{round(size[1] * window.devicePixelRatioF())}"

        def shot(name: str, dialog=None) -> None:  # type: ignore[no-untyped-def]
            settle()
            path = outdir / f"signoff-{name}-{tag}.png"
            picture(window, dialog).save(str(path), "PNG")
            saved.append(path)

        def visit_of(name: str) -> tuple[int, int]:
            p = patients.search_patients(store, name).patients[0]
            return p.id, visits.timeline(store, p.id)[0].visit.id

        window.patient_list.activated()
        shot("home")
        window.open_unsigned()
        shot("to-sign")
        window.go_home()
        patient_id, visit_id = visit_of("weiss")
        window.open_patient(patient_id)
        window.open_visit(visit_id)
        shot("amended-visit")
        pages = window.stack.count()
        window.open_editor(visit_id)
        settle(lambda: window.stack.count() > pages)
        linger(0.3)
        editor = _hosted(window, ChartEditor)
        shot("signed-editor")
        session = editor.session
        point = session.new_point("frown", 600, 500)
        session.apply(put_point(session.content, "frown", point), "Add point", "frown")
        editor.save()
        shot("amend-reason", editor.sign_off.dialog)
        if editor.sign_off.dialog is not None:
            editor.sign_off.dialog.reject()
        session.undo_stack.undo()
        editor.close_editor()
        window.go_home()
        patient_id, visit_id = visit_of("gonzalez")
        window.open_patient(patient_id)
        window.open_visit(visit_id)
        shot("cosign")
        window.go_home()
        store.dispose()
    return saved


if __name__ == "__main__":
    raise SystemExit(main(__file__, render))
