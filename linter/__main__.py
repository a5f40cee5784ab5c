"""`python -m linter` behaves like the `policylint` command."""
from linter.cli import main

raise SystemExit(main())
