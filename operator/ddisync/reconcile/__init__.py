"""Pure planning: desired state (from a spec) vs actual state (from WAPI) → one action.

No I/O and no kopf here: every function takes values and returns values, so the decision
tables can be unit-tested exhaustively. ``ddisync.sync`` does the reading and the applying.
"""
