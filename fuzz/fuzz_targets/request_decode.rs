#![no_main]

//! Request framing and everything a server reads from a request: no input panics, hangs
//! or passes the limits, in either configuration. The owned decode runs over the whole
//! input; the borrowed view runs over it again, and each request it frames has its
//! target, every RVP header and its body (XML, and the MIME payload of a message
//! notification) decoded into their types, as a server does. Every field of a view
//! survives its conversion to an owned request (the `http` header map refuses none).

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rvp_codec::header::{
    AckType, Authorization, CallBack, Depth, FromPrincipal, HopCount, NotificationType,
    NotificationsVersion, SubscriptionId, SubscriptionLifetime,
};
use rvp_codec::xml::{Notification, XmlBody};
use rvp_codec::{Config, Payload, RequestDecoder, RequestView};

fuzz_target!(|data: &[u8]| {
    for config in [Config::strict(), Config::lenient()] {
        let mut decoder = RequestDecoder::new(config);
        let mut buf = BytesMut::from(data);
        while let Ok(Some(_)) = decoder.decode(&mut buf) {}
        let _ = decoder.decode_eof(&mut buf);

        let mut decoder = RequestDecoder::new(config);
        let mut buf = BytesMut::from(data);
        while let Ok(Some(view)) = decoder.decode_view(&mut buf) {
            read_typed(&view);
        }
    }
});

/// What a server reads from a request; errors are expected, panics are not.
fn read_typed(view: &RequestView<'_>) {
    let owned = view.to_request();
    assert_eq!(owned.headers.len(), view.headers().len());
    let _ = view.typed_get::<NotificationsVersion>();
    let _ = view
        .typed_get::<FromPrincipal>()
        .map(|p| p.map(|p| p.to_string()));
    if let Ok(Some(cb)) = view.typed_get::<CallBack>() {
        let url = cb.url();
        let _ = (url.host(), url.port(), url.is_https(), url.uri());
    }
    let _ = view.typed_get::<SubscriptionId>();
    let _ = view.typed_get::<SubscriptionLifetime>();
    let _ = view.typed_get::<NotificationType>();
    let _ = view.typed_get::<AckType>();
    let _ = view.typed_get::<HopCount>();
    let _ = view.typed_get::<Depth>();
    let _ = view.typed_get::<Authorization>();
    if view.body().is_empty() {
        return;
    }
    if let Ok(XmlBody::Notification(Notification::Message(m))) =
        XmlBody::decode(view.body(), view.config())
    {
        let _ = Payload::decode(m.mime_data.as_bytes(), view.config());
    }
}
