"""Package discovery for the mapped layout (see [tool.setuptools] in pyproject.toml)."""

from setuptools import find_packages, setup


def _mapped(name: str, folder: str) -> list[str]:
    return [name] + [f"{name}.{sub}" for sub in find_packages(folder)]


setup(
    packages=_mapped("tremplin", "core")
    + _mapped("tremplin_plugins", "plugins")
    + _mapped("tremplin_themes", "themes")
)
