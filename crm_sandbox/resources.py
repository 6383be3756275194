"""Where the files the app reads at run time are, in a checkout and in an installed wheel.

The templates and the scenario library live at the top of the repository (templates/,
scenarios/), the layout the product was specified with; building a wheel maps them into the
package (setup.py: crm_sandbox/templates, crm_sandbox/scenarios/library), so an installed app
finds them inside its own package and a checkout or an editable install finds them at the top
of the repository. Static files, the criteria catalogue and the migrations are inside the
package in both. tests/test_packaging.py installs a wheel outside the checkout and uses it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_folder(in_package: str, in_checkout: str) -> Path:
    """The folder as a wheel installs it inside the package, or else (a checkout, an editable
    install) the folder of that name at the top of the repository."""
    installed = PACKAGE_DIR / in_package
    return installed if installed.is_dir() else PACKAGE_DIR.parent / in_checkout


TEMPLATES = shipped_folder("templates", "templates")
SCENARIO_LIBRARY = shipped_folder("scenarios/library", "scenarios")
STATIC = PACKAGE_DIR / "static"
MIGRATIONS = PACKAGE_DIR / "migrations"
CRITERIA = PACKAGE_DIR / "data" / "criteria.yaml"
