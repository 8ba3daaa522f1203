//! Conversions to and from the `http` crate's message types, for users on hyper.
//!
//! A [`Response`]'s reason phrase travels in the `http::Response`'s extensions as a
//! [`ReasonPhrase`], so that a round trip keeps it (`http` itself has no field for it).

use bytes::Bytes;

use crate::{InvalidMethod, Method, ReasonPhrase, Request, Response};

impl From<Request> for http::Request<Bytes> {
    fn from(r: Request) -> Self {
        let mut out = http::Request::new(r.body);
        *out.method_mut() = (&r.method).into();
        *out.uri_mut() = r.target;
        *out.version_mut() = r.version;
        *out.headers_mut() = r.headers;
        out
    }
}

impl TryFrom<http::Request<Bytes>> for Request {
    type Error = InvalidMethod;

    /// Fails only for a method token longer than this crate accepts (32 bytes).
    fn try_from(r: http::Request<Bytes>) -> Result<Self, Self::Error> {
        let (parts, body) = r.into_parts();
        Ok(Request {
            method: Method::try_from(&parts.method)?,
            target: parts.uri,
            version: parts.version,
            headers: parts.headers,
            body,
        })
    }
}

impl From<Response> for http::Response<Bytes> {
    fn from(r: Response) -> Self {
        let mut out = http::Response::new(r.body);
        *out.status_mut() = r.status;
        *out.version_mut() = r.version;
        *out.headers_mut() = r.headers;
        if let Some(reason) = r.reason {
            out.extensions_mut().insert(reason);
        }
        out
    }
}

impl From<http::Response<Bytes>> for Response {
    fn from(r: http::Response<Bytes>) -> Self {
        let (mut parts, body) = r.into_parts();
        Response {
            status: parts.status,
            reason: parts.extensions.remove::<ReasonPhrase>(),
            version: parts.version,
            headers: parts.headers,
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{StatusCode, Uri};

    #[test]
    fn request_round_trip() {
        let mut req = Request::new(Method::PROPPATCH, Uri::from_static("/instmsg/aliases/a"))
            .with_body("<x/>");
        req.headers.insert(
            "rvp-notifications-version",
            http::HeaderValue::from_static("0.2"),
        );
        let h: http::Request<Bytes> = req.clone().into();
        assert_eq!(h.method().as_str(), "PROPPATCH");
        assert_eq!(Request::try_from(h).unwrap(), req);
    }

    #[test]
    fn response_round_trip_keeps_reason() {
        let rsp =
            Response::new(StatusCode::FOUND).with_reason(ReasonPhrase::from_static("Object moved"));
        let h: http::Response<Bytes> = rsp.clone().into();
        assert_eq!(Response::from(h), rsp);
    }

    #[test]
    fn long_extension_method_is_refused() {
        let m = http::Method::from_bytes(&[b'X'; 40]).unwrap();
        let h = http::Request::builder()
            .method(m)
            .body(Bytes::new())
            .unwrap();
        assert!(Request::try_from(h).is_err());
    }
}
