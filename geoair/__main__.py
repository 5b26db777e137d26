"""``python -m geoair`` runs the command line (see :mod:`geoair.cli`)."""

from geoair.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
