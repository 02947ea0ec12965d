"""Errors the bot reports to a person instead of a traceback."""

from __future__ import annotations


class DataError(Exception):
    """Malformed knowledge or configuration, located in its file.

    Args:
        path: the file (as given, relative or absolute).
        line: 1-based line number, or 0 when the problem concerns the whole file.
        problem: one short sentence naming the problem.

    ``str(error)`` is the single line ``path:line: problem`` that the command line prints
    before exiting with status 2.
    """

    def __init__(self, path: object, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = str(path)
        self.line = line
        self.problem = problem


EXIT_DATA_ERROR = 2
"""Exit status for malformed knowledge, configuration, token or command-line usage."""
