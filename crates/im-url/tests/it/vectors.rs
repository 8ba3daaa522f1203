//! Replies captured from dnsmasq (see `vectors/README.md`), read without a server.

use std::net::IpAddr;

use im_url::{AddrAnswer, DnsError, DnsQuery, Domain, QueryKind, Reply, SrvAnswer};

const ID: u16 = 0x1234;

fn srv(domain: &str) -> DnsQuery {
    DnsQuery::srv(&domain.parse::<Domain>().unwrap(), ID)
}

#[test]
fn weighted() {
    let bytes = include_bytes!("vectors/srv-weighted.bin");
    let Reply::Answer(SrvAnswer::Targets { targets, ttl }) =
        srv("weighted.test").read_srv(bytes).unwrap()
    else {
        panic!("expected targets");
    };
    assert_eq!(ttl, 300);
    let mut got: Vec<(String, u16, u16, u16, Vec<IpAddr>)> = targets
        .into_iter()
        .map(|t| (t.target.to_string(), t.port, t.priority, t.weight, t.addrs))
        .collect();
    got.sort();
    let ip = |last: u8| vec![IpAddr::from([127, 0, 0, last])];
    assert_eq!(
        got,
        [
            ("a.weighted.test".into(), 18207, 10, 10, ip(11)),
            ("b.weighted.test".into(), 18208, 10, 30, ip(12)),
            ("backup.weighted.test".into(), 80, 20, 100, ip(14)),
            ("c.weighted.test".into(), 18209, 10, 60, ip(13)),
        ]
    );
    // The same bytes read with another id or for another name are refused.
    assert_eq!(
        DnsQuery::srv(&"weighted.test".parse().unwrap(), 1).read_srv(bytes),
        Err(DnsError::IdMismatch {
            expected: 1,
            got: ID
        })
    );
    assert_eq!(
        srv("other.test").read_srv(bytes),
        Err(DnsError::WrongQuestion)
    );
}

#[test]
fn negative_and_error_answers() {
    assert_eq!(
        srv("ghost.test").read_srv(include_bytes!("vectors/srv-nxdomain.bin")),
        Ok(Reply::Answer(SrvAnswer::NxDomain { negative_ttl: None }))
    );
    assert_eq!(
        srv("nodata.test").read_srv(include_bytes!("vectors/srv-nodata.bin")),
        Ok(Reply::Answer(SrvAnswer::NoData { negative_ttl: None }))
    );
    assert!(matches!(
        srv("closed.test").read_srv(include_bytes!("vectors/srv-no-service.bin")),
        Ok(Reply::Answer(SrvAnswer::NoService { .. }))
    ));
    assert_eq!(
        srv("example.invalid").read_srv(include_bytes!("vectors/srv-refused.bin")),
        Err(DnsError::ServerFailure { rcode: 5 })
    );
}

#[test]
fn truncated_then_complete() {
    let q = srv("big.test");
    assert_eq!(
        q.read_srv(include_bytes!("vectors/srv-big-udp-truncated.bin")),
        Ok(Reply::Truncated)
    );
    let Ok(Reply::Answer(SrvAnswer::Targets { targets, .. })) =
        q.read_srv(include_bytes!("vectors/srv-big-tcp.bin"))
    else {
        panic!("expected targets");
    };
    assert_eq!(targets.len(), 24);
}

#[test]
fn addresses() {
    let host: Domain = "plain.test".parse().unwrap();
    assert_eq!(
        DnsQuery::addr(&host, QueryKind::A, ID).read_addrs(include_bytes!("vectors/a-plain.bin")),
        Ok(Reply::Answer(AddrAnswer::Addrs {
            addrs: vec![IpAddr::from([127, 0, 0, 3])],
            ttl: 300
        }))
    );
    assert_eq!(
        DnsQuery::addr(&host, QueryKind::Aaaa, ID)
            .read_addrs(include_bytes!("vectors/aaaa-plain-nodata.bin")),
        Ok(Reply::Answer(AddrAnswer::NoData { negative_ttl: None }))
    );
}

#[test]
fn every_prefix_is_an_error_or_truncation_never_a_panic() {
    for bytes in [
        &include_bytes!("vectors/srv-weighted.bin")[..],
        &include_bytes!("vectors/srv-big-tcp.bin")[..],
    ] {
        for n in 0..bytes.len() {
            let r = srv("weighted.test").read_srv(&bytes[..n]);
            assert!(r.is_err(), "prefix {n} read as {r:?}");
        }
    }
}
