#![no_main]

//! Response framing and everything a client reads from a response: no input panics,
//! hangs or passes the limits, in either configuration. The owned decode runs over the
//! whole input; the borrowed view runs over it again, and each response it frames has
//! its headers and XML body decoded into their types, as a client does. Every field of a
//! view survives its conversion to an owned response.

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use rvp_codec::header::{Location, SubscriptionId, SubscriptionLifetime, WwwAuthenticate};
use rvp_codec::xml::XmlBody;
use rvp_codec::{Config, ResponseDecoder, ResponseView};

fuzz_target!(|data: &[u8]| {
    for config in [Config::strict(), Config::lenient()] {
        let mut decoder = ResponseDecoder::new(config);
        let mut buf = BytesMut::from(data);
        while let Ok(Some(_)) = decoder.decode(&mut buf) {}
        let _ = decoder.decode_eof(&mut buf);

        let mut decoder = ResponseDecoder::new(config);
        let mut buf = BytesMut::from(data);
        while let Ok(Some(view)) = decoder.decode_view(&mut buf) {
            read_typed(&view);
        }
    }
});

/// What a client reads from a response; errors are expected, panics are not.
fn read_typed(view: &ResponseView<'_>) {
    let owned = view.to_response();
    assert_eq!(owned.headers.len(), view.headers().len());
    if let Ok(Some(location)) = view.typed_get::<Location>() {
        let url = location.url();
        let _ = (url.host(), url.port(), url.is_https(), url.uri());
    }
    let _ = view.typed_get::<WwwAuthenticate>();
    let _ = view.typed_get::<SubscriptionId>();
    let _ = view.typed_get::<SubscriptionLifetime>();
    if !view.body().is_empty() {
        let _ = XmlBody::decode(view.body(), view.config());
    }
}
