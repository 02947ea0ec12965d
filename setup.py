"""Build hook: copy the shipped data into the wheel (metadata lives in pyproject.toml).

The repository keeps one copy of the default ``config.yaml``, the ``knowledge/`` folder and
the project's question set (``tests/data/questions.yaml``), at the top of the checkout. A built
package (``pip install .``, ``python -m build``, pipx) gets them as ``bot/_data/``, where
:mod:`bot.paths` looks first. Editable installs read the checkout's files directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = {
    "config.yaml": "config.yaml",
    "knowledge": "knowledge",
    "tests/data/questions.yaml": "questions.yaml",
}
"""source in the checkout (or sdist) → name under bot/_data/ in the built package."""


class BuildWithData(build_py):
    """build_py that also copies :data:`SHIPPED` into ``bot/_data/`` of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself (bot/paths.py)
        target = Path(self.build_lib) / "bot" / "_data"
        shutil.rmtree(target, ignore_errors=True)
        for source, name in SHIPPED.items():
            origin = HERE / source
            if origin.is_dir():
                shutil.copytree(origin, target / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target / name)


setup(cmdclass={"build_py": BuildWithData})
