"""accounts/ keeps no tables of its own: people are Django users, roles are Django groups."""
