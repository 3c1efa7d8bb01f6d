"""Pass codes: eight characters from an alphabet without look-alikes (no 0/O, 1/I),
about 10^12 possibilities, drawn with ``secrets`` so that nobody can guess another's."""

import re
import secrets

PASS_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105 -- an alphabet, not a secret
PASS_LENGTH = 8


def new_pass_code() -> str:
    return "".join(secrets.choice(PASS_ALPHABET) for _ in range(PASS_LENGTH))


def normalise_code(text: str) -> str:
    """What staff typed or a scanner read, as stored: upper case, without spaces or
    dashes."""
    return re.sub(r"[\s\-_]", "", text or "").upper()
