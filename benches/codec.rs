#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

//! Codec throughput: full typed decode and encode of three reference messages, side by
//! side in the same run with a floor of `httparse` head parsing plus a `quick-xml` event
//! pass over the same body.
//!
//! Messages (librvp's exact bytes, from `crates/rvp-codec/tests/vectors/librvp`):
//! - `subscribe`: the headers-only login SUBSCRIBE;
//! - `proppatch`: a PROPPATCH setting a leased state;
//! - `notify`: a NOTIFY carrying an instant message (XML + MIME payload).
//!
//! "Typed decode" is everything a server does before acting on a request: the message
//! copied into a read buffer reused from one message to the next (as a connection's
//! buffer is; fresh buffers per iteration would measure cache misses instead), framing, the
//! head (through the borrowed `RequestView`, method and target read), every RVP header
//! into its typed value, the XML body into its typed document, and for a message
//! notification the MIME payload into a typed text message. "Encode" is the reverse,
//! from typed values to wire bytes. The decode's result goes to `black_box` by reference
//! (kept where it was built, as a server keeps it, instead of copied: a copy of some 600
//! bytes that no user makes). At the end the bench prints the ratio of the typed
//! decode's throughput to the floor's for each message (goal: at least 0.5), twice: from
//! criterion's two means, and paired (batches of the two back to back, alternating, the
//! median ratio of 301 pairs), which a change of machine load between criterion's
//! measurements does not move.
//!
//! Run: `cargo bench --bench codec` (add `-- --quick` for a short run).
//!
//! For instruction counts, `RVP_BENCH_PROFILE=<function>:<message>:<iterations>` (for
//! example `typed_decode:notify:10000`) runs only that loop, without criterion, under
//! `valgrind --tool=callgrind`; the difference between two iteration counts, divided by
//! the difference of the counts, is the cost of one message.

use std::hint::black_box;
use std::path::PathBuf;

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput};
use http::HeaderMap;
use rvp::codec::header::{
    AckType, CallBack, Depth, FromPrincipal, HeaderMapExt, HopCount, NotificationType,
    NotificationsVersion, SubscriptionId, SubscriptionLifetime,
};
use rvp::codec::xml::{Notification, XmlBody};
use rvp::codec::{Config, Method, Payload, Request, RequestDecoder};

const MESSAGES: [(&str, &[u8]); 3] = [
    (
        "subscribe",
        include_bytes!("../crates/rvp-codec/tests/vectors/librvp/login-subscribe.req"),
    ),
    (
        "proppatch",
        include_bytes!("../crates/rvp-codec/tests/vectors/librvp/proppatch-online.req"),
    ),
    (
        "notify",
        include_bytes!("../crates/rvp-codec/tests/vectors/librvp/notify-im.req"),
    ),
];

/// Everything a typed decode produces.
struct Typed {
    method: Method,
    version: Option<NotificationsVersion>,
    from: Option<FromPrincipal>,
    call_back: Option<CallBack>,
    subscription_id: Option<SubscriptionId>,
    lifetime: Option<SubscriptionLifetime>,
    notification_type: Option<NotificationType>,
    ack: Option<AckType>,
    hops: Option<HopCount>,
    depth: Option<Depth>,
    body: Option<XmlBody>,
    payload: Option<Payload>,
}

fn typed_decode(buf: &mut BytesMut, decoder: &mut RequestDecoder) -> Typed {
    let view = decoder.decode_view(buf).expect("valid").expect("complete");
    let config = view.config();
    black_box(view.target());
    let body =
        (!view.body().is_empty()).then(|| XmlBody::decode(view.body(), config).expect("valid XML"));
    let payload = match &body {
        Some(XmlBody::Notification(Notification::Message(m))) => {
            Some(Payload::decode(m.mime_data.as_bytes(), config).expect("valid payload"))
        }
        _ => None,
    };
    Typed {
        method: view.method().clone(),
        version: view.typed_get().expect("version"),
        from: view.typed_get().expect("from"),
        call_back: view.typed_get().expect("call-back"),
        subscription_id: view.typed_get().expect("id"),
        lifetime: view.typed_get().expect("lifetime"),
        notification_type: view.typed_get().expect("type"),
        ack: view.typed_get().expect("ack"),
        hops: view.typed_get().expect("hops"),
        depth: view.typed_get().expect("depth"),
        body,
        payload,
    }
}

/// Encodes the typed values of `t`, with the target, `Host` and `Content-Type` of
/// `request` (the same message decoded into an owned `Request`).
fn typed_encode(t: &Typed, request: &Request, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let mut headers = HeaderMap::with_capacity(12);
    headers.insert(
        http::header::HOST,
        request.headers[http::header::HOST].clone(),
    );
    macro_rules! put {
        ($($field:ident),*) => { $( if let Some(v) = &t.$field { headers.typed_insert(v.clone()); } )* };
    }
    put!(
        version,
        from,
        call_back,
        subscription_id,
        lifetime,
        notification_type,
        ack,
        hops,
        depth
    );
    if let Some(ct) = request.headers.get(http::header::CONTENT_TYPE) {
        headers.insert(http::header::CONTENT_TYPE, ct.clone());
    }
    scratch.clear();
    match (&t.body, &t.payload) {
        (Some(XmlBody::Notification(Notification::Message(m))), Some(p)) => {
            let mut m = m.clone();
            let mut mime = Vec::with_capacity(m.mime_data.len());
            p.encode(&mut mime);
            m.mime_data = String::from_utf8(mime).expect("payloads encode as UTF-8");
            Notification::Message(m).encode(scratch);
        }
        (Some(body), _) => body.encode(scratch),
        (None, _) => {}
    }
    let mut req = Request::new(t.method.clone(), request.target.clone()).with_headers(headers);
    req.body = bytes::Bytes::copy_from_slice(scratch);
    out.clear();
    req.encode(out);
}

/// The floor: what any HTTP + XML stack must do at the least.
fn floor(msg: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(head_len) = req.parse(msg).expect("valid") else {
        panic!("partial")
    };
    let mut events = 0;
    let body = &msg[head_len..];
    if !body.is_empty() {
        let mut reader = quick_xml::Reader::from_reader(body);
        loop {
            match reader.read_event().expect("valid XML") {
                quick_xml::events::Event::Eof => break,
                e => {
                    black_box(&e);
                    events += 1;
                }
            }
        }
    }
    head_len + events
}

fn bench(c: &mut Criterion) {
    let config = Config::lenient();
    let mut group = c.benchmark_group("codec");
    for (name, msg) in MESSAGES {
        group.throughput(Throughput::Bytes(msg.len() as u64));
        group.bench_with_input(BenchmarkId::new("floor", name), msg, |b, msg| {
            b.iter(|| floor(black_box(msg)))
        });
        group.bench_with_input(BenchmarkId::new("typed_decode", name), msg, |b, msg| {
            let mut decoder = RequestDecoder::new(config);
            let mut buf = BytesMut::with_capacity(4096);
            b.iter(|| {
                buf.extend_from_slice(black_box(msg));
                let typed = typed_decode(&mut buf, &mut decoder);
                black_box(&typed);
            })
        });
        let typed = typed_decode(&mut BytesMut::from(msg), &mut RequestDecoder::new(config));
        let request = owned(msg, config);
        group.bench_with_input(
            BenchmarkId::new("typed_encode", name),
            &typed,
            |b, typed| {
                let (mut out, mut scratch) = (Vec::with_capacity(2048), Vec::with_capacity(2048));
                b.iter(|| {
                    typed_encode(typed, &request, &mut out, &mut scratch);
                    black_box(out.len())
                })
            },
        );
    }
    group.finish();
}

/// `msg` decoded into an owned request.
fn owned(msg: &[u8], config: Config) -> Request {
    RequestDecoder::new(config)
        .decode(&mut BytesMut::from(msg))
        .expect("valid")
        .expect("complete")
}

/// `RVP_BENCH_PROFILE=<function>:<message>:<iterations>`: runs one loop for callgrind.
fn profile(spec: &str) {
    let mut parts = spec.split(':');
    let (Some(function), Some(message), Some(n)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("RVP_BENCH_PROFILE is <function>:<message>:<iterations>")
    };
    let n: usize = n.parse().expect("iterations");
    let (_, msg) = MESSAGES
        .into_iter()
        .find(|(name, _)| *name == message)
        .expect("message");
    let config = Config::lenient();
    let mut decoder = RequestDecoder::new(config);
    let typed = typed_decode(&mut BytesMut::from(msg), &mut RequestDecoder::new(config));
    let request = owned(msg, config);
    let (mut out, mut scratch) = (Vec::with_capacity(2048), Vec::with_capacity(2048));
    let mut buf = BytesMut::with_capacity(4096);
    for _ in 0..n {
        match function {
            "floor" => {
                black_box(floor(black_box(msg)));
            }
            "typed_decode" => {
                buf.extend_from_slice(black_box(msg));
                black_box(&typed_decode(&mut buf, &mut decoder));
            }
            "typed_encode" => {
                typed_encode(&typed, &request, &mut out, &mut scratch);
                black_box(out.len());
            }
            _ => panic!("function is floor, typed_decode or typed_encode"),
        }
    }
}

/// The floor's time over the typed decode's for `msg`, measured in pairs: batches of
/// each, back to back, `ROUNDS` times, the batch order alternating; the median of the
/// per-pair ratios and its quartiles. A change of machine load between criterion's
/// separate measurements of the two moves its ratio by up to 0.1; within a pair the two
/// batches run microseconds apart and see the same load.
fn paired_ratio(msg: &[u8], config: Config) -> (f64, f64, f64) {
    const ROUNDS: usize = 301;
    const BATCH: usize = 64;
    let mut decoder = RequestDecoder::new(config);
    let mut buf = BytesMut::with_capacity(4096);
    let floor_batch = || {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            black_box(floor(black_box(msg)));
        }
        start.elapsed().as_secs_f64()
    };
    let mut decode_batch = || {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            buf.extend_from_slice(black_box(msg));
            black_box(&typed_decode(&mut buf, &mut decoder));
        }
        start.elapsed().as_secs_f64()
    };
    // Warm both paths up.
    for _ in 0..20 {
        floor_batch();
        decode_batch();
    }
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (f, d) = if round % 2 == 0 {
                let f = floor_batch();
                (f, decode_batch())
            } else {
                let d = decode_batch();
                (floor_batch(), d)
            };
            f / d
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (
        ratios[ROUNDS / 4],
        ratios[ROUNDS / 2],
        ratios[3 * ROUNDS / 4],
    )
}

/// Criterion's mean estimate, in nanoseconds, of one benchmark of this run.
fn mean_ns(function: &str, message: &str) -> Option<f64> {
    let dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let path = dir
        .join("criterion/codec")
        .join(function)
        .join(message)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let mean = &text[text.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    value[..value.find([',', '}'])?].trim().parse().ok()
}

fn main() {
    if let Ok(spec) = std::env::var("RVP_BENCH_PROFILE") {
        profile(&spec);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();

    println!(
        "\nthroughput relative to the floor (httparse head + quick-xml event pass), same run:"
    );
    println!(
        "{:<10} {:>10} {:>12} {:>12} {:>14} {:>14} {:>22}",
        "message",
        "bytes",
        "floor MB/s",
        "decode MB/s",
        "decode/floor",
        "encode MB/s",
        "paired (quartiles)"
    );
    for (name, msg) in MESSAGES {
        let (Some(f), Some(d)) = (mean_ns("floor", name), mean_ns("typed_decode", name)) else {
            println!("{name:<10} (no estimates: run without --list/--test)");
            continue;
        };
        let e = mean_ns("typed_encode", name).unwrap_or(f64::NAN);
        let mbps = |ns: f64| msg.len() as f64 / ns * 1e3;
        let (low, median, high) = paired_ratio(msg, Config::lenient());
        println!(
            "{:<10} {:>10} {:>12.1} {:>12.1} {:>14.2} {:>14.1} {:>8.2} ({:.2}-{:.2})",
            name,
            msg.len(),
            mbps(f),
            mbps(d),
            f / d,
            mbps(e),
            median,
            low,
            high
        );
    }
}
