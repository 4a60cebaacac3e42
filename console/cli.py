"""Command line for the console: counsellor accounts, index rebuild and the retention purge.

python -m console.cli add-counsellor NAME      (asks the password twice; or reads it
                                                from stdin when not a terminal)
python -m console.cli remove-counsellor NAME
python -m console.cli list-counsellors
python -m console.cli purge [--days N]         (default: RETENTION_DAYS, 90; also
                                                empties the speech cache)
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Optional, Sequence

import sqlalchemy as sa

from console import auth, data, retention
from console.tables import create_console_tables, make_engine
from passerelle.config import settings
from passerelle.files import private_umask

logger = logging.getLogger(__name__)

# Who the audit log names for changes made here (the command line has no counsellor).
CLI_ACTOR = "ligne de commande"


def _engine() -> sa.engine.Engine:
    engine = make_engine(settings().store.db_url)
    create_console_tables(engine)
    return engine


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    auth.check_password(first)
    if getpass.getpass("Encore une fois : ") != first:
        raise auth.AccountError("Les deux mots de passe sont différents.")
    return first


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m console.cli", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-counsellor", help="Crée un compte (ou change son mot de passe).")
    add.add_argument("name")
    remove = commands.add_parser("remove-counsellor", help="Supprime un compte.")
    remove.add_argument("name")
    commands.add_parser("list-counsellors", help="Liste les comptes.")
    purge_cmd = commands.add_parser("purge", help="Supprime les vieilles conversations.")
    purge_cmd.add_argument("--days", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    private_umask()  # the SQLite file, if this creates it, is 0600

    engine = _engine()
    try:
        if args.command == "add-counsellor":
            name = auth.check_name(args.name)
            created = auth.set_counsellor(engine, name, _read_password())
            change = "compte créé" if created else "mot de passe changé"
            data.record(engine, name, f"{change} ({CLI_ACTOR})")
            print(f"Compte « {name} » {'créé' if created else 'mis à jour'}.")
        elif args.command == "remove-counsellor":
            if not auth.remove_counsellor(engine, args.name.strip().lower()):
                print(f"Le compte « {args.name} » n'existe pas.", file=sys.stderr)
                return 1
            data.record(engine, args.name.strip().lower(), f"compte supprimé ({CLI_ACTOR})")
            print(f"Compte « {args.name} » supprimé.")
        elif args.command == "list-counsellors":
            for name in auth.list_counsellors(engine):
                print(name)
        elif args.command == "purge":
            days = settings().store.retention_days if args.days is None else args.days
            count = retention.purge(engine, days, CLI_ACTOR)
            print(f"{count} conversation(s) de plus de {days} jours supprimée(s).")
            sounds = retention.empty_speech_cache(settings())
            print(f"{sounds} son(s) du cache de lecture supprimé(s).")
    except (auth.AccountError, ValueError) as error:
        print(str(error), file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\nAnnulé.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
