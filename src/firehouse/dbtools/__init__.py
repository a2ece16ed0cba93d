"""Whole-database tools for operators: an online SQLite backup, and a copy between databases.

Nothing here knows about Typer or HTTP; `firehouse db backup` and `firehouse db copy` are the
thin surfaces over it.
"""
