"""Jinja2 templates of the public site (a package so that its files ship with the wheel)."""
