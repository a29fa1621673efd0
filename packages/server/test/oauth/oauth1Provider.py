"""An OAuth 1.0a provider (RFC 5849, three-legged) for the OAuth flow tests, its signatures checked by oauthlib.

    POST /request_token   signed with the consumer key and secret, with oauth_callback: a temporary token
    GET  /authorize       ?oauth_token=…: redirects to the callback with oauth_token and oauth_verifier;
                          with decision=deny, with denied=<token> instead (as Twitter does)
    POST /access_token    signed with the temporary token and its secret, with oauth_verifier: the access token
    GET  /control/calls   every call so far: { endpoint, ok, reason }

A call whose signature, consumer key, token or verifier is wrong is answered 401 and recorded with the reason.
Prints one JSON line with its URL once it listens; ends when its stdin closes. Run with Debian's python3-oauthlib.
"""
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlparse

from oauthlib.oauth1.rfc5849 import signature, utils

CONSUMER_KEY = sys.argv[1]
CONSUMER_SECRET = sys.argv[2]

temporary = {}  # token -> { secret, callback, verifier }
calls = []


class Checked:
    """What oauthlib's verify_hmac_sha1 reads of a request."""

    def __init__(self, method, uri, params, sig):
        self.http_method = method
        self.uri = uri
        self.params = params
        self.signature = sig


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/x-www-form-urlencoded", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def oauth_params(self):
        """The Authorization header's oauth_* parameters, and every parameter the signature covers."""
        header = self.headers.get("authorization", "")
        # parse_authorization_header leaves values percent-encoded; collect_parameters decodes them itself.
        pairs = utils.parse_authorization_header(header) if header.startswith("OAuth ") else []
        oauth = {name: utils.unescape(value) for name, value in pairs}
        uri = f"http://{self.headers['host']}{self.path}"
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        form = body if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else None
        params = signature.collect_parameters(
            uri_query=urlparse(uri).query, body=form, headers={"Authorization": header}, exclude_oauth_signature=True
        )
        return oauth, Checked(self.command, uri, params, oauth.get("oauth_signature", ""))

    def fail(self, endpoint, reason):
        calls.append({"endpoint": endpoint, "ok": False, "reason": reason})
        self.reply(401, urlencode({"oauth_problem": reason}))

    def do_POST(self):
        oauth, checked = self.oauth_params()
        path = urlparse(self.path).path
        if oauth.get("oauth_consumer_key") != CONSUMER_KEY:
            return self.fail(path, "consumer_key_unknown")
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return self.fail(path, "signature_method_rejected")
        if path == "/request_token":
            if not signature.verify_hmac_sha1(checked, CONSUMER_SECRET, None):
                return self.fail(path, "signature_invalid")
            if not oauth.get("oauth_callback"):
                return self.fail(path, "parameter_absent")
            token, secret = "rt-" + secrets.token_hex(8), secrets.token_hex(16)
            temporary[token] = {"secret": secret, "callback": oauth["oauth_callback"], "verifier": None}
            calls.append({"endpoint": path, "ok": True})
            return self.reply(200, urlencode({"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"}))
        if path == "/access_token":
            entry = temporary.get(oauth.get("oauth_token", ""))
            if entry is None:
                return self.fail(path, "token_rejected")
            if not signature.verify_hmac_sha1(checked, CONSUMER_SECRET, entry["secret"]):
                return self.fail(path, "signature_invalid")
            if entry["verifier"] is None or oauth.get("oauth_verifier") != entry["verifier"]:
                return self.fail(path, "verifier_invalid")
            del temporary[oauth["oauth_token"]]
            calls.append({"endpoint": path, "ok": True})
            return self.reply(
                200,
                urlencode({"oauth_token": "at-" + secrets.token_hex(8), "oauth_token_secret": secrets.token_hex(16), "user_id": "42"}),
            )
        self.reply(404, "")

    def do_GET(self):
        url = urlparse(self.path)
        query = dict(parse_qsl(url.query))
        if url.path == "/control/calls":
            return self.reply(200, json.dumps(calls), "application/json")
        if url.path == "/authorize":
            token = query.get("oauth_token", "")
            entry = temporary.get(token)
            if entry is None:
                return self.reply(400, "unknown oauth_token", "text/plain")
            callback = entry["callback"]
            joiner = "&" if "?" in callback else "?"
            if query.get("decision") == "deny":
                return self.reply(302, "", headers={"location": callback + joiner + urlencode({"denied": token})})
            entry["verifier"] = secrets.token_hex(8)
            location = callback + joiner + urlencode({"oauth_token": token, "oauth_verifier": entry["verifier"]})
            return self.reply(302, "", headers={"location": location})
        self.reply(404, "")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(json.dumps({"url": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()  # ends when the parent closes stdin (or dies)
server.shutdown()
