"""`policylint access`: who can read, change or delete each secret, evaluated offline as AWS would.

`principals` finds who is in the tree and which identity policies reach them, `evaluate` applies AWS's
policy evaluation logic to every (secret, principal, capability), `render` writes the map, and `changes`
compares the map with the one of a git revision.
"""
