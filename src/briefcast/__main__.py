"""``python -m briefcast`` runs the command line."""

from briefcast.cli import main

main()
