"""`flask users ...` commands."""


def register(app) -> None:
    pass
