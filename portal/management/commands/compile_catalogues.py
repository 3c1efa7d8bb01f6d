"""Compile every ``locale/*/LC_MESSAGES/*.po`` into the ``.mo`` file Django reads.

Pure Python (polib), so neither GNU gettext nor ``compilemessages`` is needed. A
locale without its ``.po`` file yet is skipped, not an error: the catalogues are
written alongside the code. Fuzzy and untranslated entries are left out, as msgfmt
does, so they fall back to the English source text.
"""

import os
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) to .mo files with polib."
    # Compiling catalogues touches no database and needs no system checks; it must
    # work even while another part of the project is half-built.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale-dir",
            action="append",
            dest="locale_dirs",
            help="A locale directory to compile (repeatable). Default: every directory in LOCALE_PATHS.",
        )

    def handle(self, *args, locale_dirs=None, verbosity=1, **options):
        directories = [Path(d) for d in (locale_dirs or settings.LOCALE_PATHS)]
        compiled = 0
        for directory in directories:
            if not directory.is_dir():
                if verbosity >= 2:
                    self.stdout.write(f"No locale directory at {directory}; nothing to compile there.")
                continue
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                translated, total = compile_po(po_path)
                compiled += 1
                if verbosity >= 1:
                    self.stdout.write(
                        f"Compiled {po_path.relative_to(directory.parent)}: {translated} of {total} messages translated"
                    )
        if compiled == 0 and verbosity >= 1:
            self.stdout.write("No .po files found yet; nothing to compile.")


def compile_po(po_path: Path) -> tuple[int, int]:
    """Write ``po_path`` with the suffix ``.mo``; return (translated, total) message counts."""
    try:
        catalogue = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {po_path}: {error}") from error
    mo_path = po_path.with_suffix(".mo")
    # Write beside the target and rename, so a running server never reads half a file.
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".mo", dir=po_path.parent)
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a catalogue is not
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    total = len([entry for entry in catalogue if not entry.obsolete])
    return len(catalogue.translated_entries()), total
