"""Tremplin: case management for associations that house and support people."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tremplin")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
