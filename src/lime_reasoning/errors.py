"""The one exception type for user mistakes.

Anything raised as :class:`LimeError` is a problem with the user's input (a file, a line, an
argument); the CLI prints its message as a single line and exits with status 2. Every other
exception is a bug and keeps its traceback.
"""


class LimeError(Exception):
    """A user-facing error: the message names what is wrong and where."""
