"""The server's log tells of the server, not of every HTTP request (the proxy logs those)."""

import requests


def test_requests_leave_no_line_each_in_the_server_log(live_server_factory):
    server = live_server_factory()
    http = requests.Session()
    http.trust_env = False  # 127.0.0.1 never through a proxy
    for path in ("/login", "/login?again=1", "/socket.io/?EIO=4&transport=polling"):
        assert http.get(server.url + path, timeout=30).status_code == 200
    server.stop()

    log = server.log_text()
    assert "INFO __main__: Kexu serving on" in log  # the log is read at INFO
    assert "GET /login" not in log
    assert "GET /socket.io/" not in log
