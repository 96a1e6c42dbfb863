"""/api/v1/me: who the token belongs to."""

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint
from app.api.schemas import MeSchema

blp = ApiBlueprint("api-people", __name__, description="The caller")


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """Who am I

    The caller's account: roles with their scope, school, time zone, language and classes.
    """
    return current_api_user()
