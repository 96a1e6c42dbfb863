"""`flask roster ...` and `flask demo ...` commands."""


def register(app) -> None:
    pass
