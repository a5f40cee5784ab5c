"""`python -m linter` behaves like the `policylint` command."""
from linter.cli import entry

entry()
