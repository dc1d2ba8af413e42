"""Tremplin: case management for associations that house and support people."""

__version__ = "0.1.0"
