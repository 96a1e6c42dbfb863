"""`flask demo seed`: a believable demo school."""


def register_cli(app) -> None:
    pass
