"""Package discovery for setuptools (everything else about the distribution is in setup.cfg).

The templates and the scenario library stay at the top of the repository, the layout the
product was specified with, and a wheel carries them inside the package, where an installed app
looks for them (crm_sandbox/resources.py). setup.cfg alone cannot list discovered packages and
mapped folders together, hence this file. Folders without an `__init__.py` (static, data,
migrations) are namespace packages, so their files ship as declared package data.
"""

from setuptools import find_namespace_packages, setup

SHIPPED_FOLDERS = {
    "crm_sandbox.templates": "templates",
    "crm_sandbox.scenarios.library": "scenarios",
}

setup(
    packages=[
        *find_namespace_packages(
            include=["crm_sandbox", "crm_sandbox.*", "seed", "seed.*"],
            exclude=["*.__pycache__"],
        ),
        *SHIPPED_FOLDERS,
    ],
    package_dir=SHIPPED_FOLDERS,
)
