"""Downloads of locally stored files through signed, expiring links.

`LocalStorage.url()` hands out these links the way S3 hands out presigned URLs: the signed
token is the permission, so the route needs no session and works in a new browser tab or
a download manager. With the S3 backend the route does not exist (404).
"""

from flask import Blueprint, abort, render_template, send_file
from flask_babel import gettext as _

from app.core.storage import (
    InvalidKey,
    LinkExpired,
    LinkInvalid,
    LocalStorage,
    ObjectNotFound,
    content_disposition,
    get_storage,
)

bp = Blueprint("files", __name__)

# Uploaded files are served from our own origin; a sandboxed, resource-less CSP keeps an
# uploaded HTML or SVG file from running scripts or loading anything.
FILE_CSP = "default-src 'none'; sandbox"


def _refused(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message), status


@bp.route("/files/<token>")
def download(token: str):
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        abort(404)
    try:
        key, filename = storage.verify_download(token)
        path, content_type = storage.local_file(key)
    except LinkExpired:
        return _refused(410, _("This download link has expired. Open the page again to get a new one."))
    except (LinkInvalid, InvalidKey):
        return _refused(403, _("This download link is not valid."))
    except ObjectNotFound:
        abort(404)
    # conditional=True answers Range requests, which video players and resumed downloads use.
    response = send_file(path, mimetype=content_type, conditional=True, etag=True, max_age=0)
    if filename:
        response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-cache"
    return response
