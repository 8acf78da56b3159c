"""A small HTTPS client that behaves like the operators' browsers towards the cluster: one
cookie jar per session, the CSRF token sent as a form field with the Origin header a browser
adds to a POST, the certificate checked against the cluster's own throwaway CA, and for every
answer the instance that served it (nginx's upstream header) and the request id."""
import http.client
import ssl
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlparse


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    upstream: str  # "127.0.0.1:8001", or "" when nginx answered alone
    request_id: str

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Browser:
    def __init__(self, base_url: str, cafile: str, upstream_header: str, timeout=60):
        parts = urlparse(base_url)
        self.host, self.port = parts.hostname, parts.port or 443
        if self.host != "127.0.0.1":
            raise ValueError("the cluster checks address 127.0.0.1 only")
        self.origin = f"https://{self.host}:{self.port}"
        self.context = ssl.create_default_context(cafile=cafile)
        self.upstream_header = upstream_header.lower()
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection = None

    def _connect(self):
        self.connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                      context=self.context)

    def request(self, method, path, *, fields=None, files=None, headers=None, retry=True):
        body, extra = None, {}
        if files:
            body, content_type = multipart(fields or {}, files)
            extra["Content-Type"] = content_type
        elif fields is not None:
            body = urlencode(fields).encode()
            extra["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST":
            extra["Origin"] = self.origin
            extra["Referer"] = self.origin + path
        if self.cookies:
            extra["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        extra.update(headers or {})
        if self.connection is None:
            self._connect()
        try:
            self.connection.request(method, path, body=body, headers=extra)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                http.client.CannotSendRequest, http.client.ResponseNotReady, ssl.SSLEOFError):
            # nginx closed an idle keep-alive connection (a reload closes them all): a new
            # one, once, as browsers do (nginx closes only between two requests).
            self.connection.close()
            self.connection = None
            if not retry:
                raise
            return self.request(method, path, fields=fields, files=files, headers=headers,
                                retry=False)
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, headers_out, data,
                     headers_out.get(self.upstream_header, ""),
                     headers_out.get("x-request-id", ""))

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, **kwargs):
        return self.request("POST", path, fields=fields, **kwargs)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def multipart(fields: dict, files: dict):
    """multipart/form-data: ``files`` maps a field to (file name, content type, bytes)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content_type, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
