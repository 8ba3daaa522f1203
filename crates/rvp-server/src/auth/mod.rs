//! HTTP Digest authentication (RFC 2617 MD5, RFC 7616 SHA-256) for the server side.
