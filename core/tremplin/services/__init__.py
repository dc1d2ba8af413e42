"""Domain services: the only code that writes the core tables."""
