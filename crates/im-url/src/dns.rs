//! DNS messages for RVP discovery: build the `_rvp._tcp.<domain>` SRV query (and A/AAAA
//! queries for targets), read the answers. hickory-proto does the wire format; none of its
//! types appear in this module's public items.

use std::collections::HashSet;
use std::net::IpAddr;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use crate::address::Domain;
use crate::error::DnsError;

/// Most SRV records accepted in one answer (more is an error).
pub const MAX_SRV_RECORDS: usize = 64;
/// Most addresses kept per host name (further ones are dropped).
pub const MAX_ADDRS_PER_HOST: usize = 32;
/// Longest CNAME chain followed inside one answer.
pub const MAX_CNAME_CHAIN: usize = 8;

/// What a query asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryKind {
    /// SRV records of `_rvp._tcp.<domain>`.
    Srv,
    /// IPv4 addresses of a host.
    A,
    /// IPv6 addresses of a host.
    Aaaa,
}

impl QueryKind {
    fn record_type(self) -> RecordType {
        match self {
            QueryKind::Srv => RecordType::SRV,
            QueryKind::A => RecordType::A,
            QueryKind::Aaaa => RecordType::AAAA,
        }
    }
}

/// One SRV target: where an RVP server listens, and how to choose among several
/// (RFC 2782).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SrvTarget {
    /// The host name (never `.`).
    pub target: Domain,
    /// The TCP port.
    pub port: u16,
    /// Lower is preferred.
    pub priority: u16,
    /// Relative weight among targets of equal priority.
    pub weight: u16,
    /// Time to live of the record, seconds.
    pub ttl: u32,
    /// Addresses of `target` found in the same answer (additional section), if any.
    pub addrs: Vec<IpAddr>,
}

impl SrvTarget {
    /// A target with priority 0, weight 0, TTL 0 and no addresses.
    pub fn new(target: Domain, port: u16) -> Self {
        Self {
            target,
            port,
            priority: 0,
            weight: 0,
            ttl: 0,
            addrs: Vec::new(),
        }
    }

    /// Sets the priority.
    #[must_use]
    pub fn with_priority(mut self, priority: u16) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the weight.
    #[must_use]
    pub fn with_weight(mut self, weight: u16) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the TTL.
    #[must_use]
    pub fn with_ttl(mut self, ttl: u32) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the known addresses.
    #[must_use]
    pub fn with_addrs(mut self, addrs: Vec<IpAddr>) -> Self {
        self.addrs = addrs;
        self
    }
}

/// The answer to an SRV query.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrvAnswer {
    /// The domain publishes RVP servers.
    Targets {
        /// The targets, in answer order (select with [`crate::order_targets`]).
        targets: Vec<SrvTarget>,
        /// The smallest TTL of the records used, seconds.
        ttl: u32,
    },
    /// The only target is `.`: the domain declares it has no RVP service.
    NoService {
        /// TTL of the record, seconds.
        ttl: u32,
    },
    /// The name `_rvp._tcp.<domain>` does not exist (NXDOMAIN).
    NxDomain {
        /// Negative-caching TTL from the SOA of the authority section (RFC 2308), if any.
        negative_ttl: Option<u32>,
    },
    /// The name exists but has no SRV record (NOERROR, empty answer: NODATA).
    NoData {
        /// Negative-caching TTL from the SOA of the authority section (RFC 2308), if any.
        negative_ttl: Option<u32>,
    },
}

/// The answer to an A or AAAA query.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddrAnswer {
    /// The host has addresses.
    Addrs {
        /// At most [`MAX_ADDRS_PER_HOST`] addresses, in answer order.
        addrs: Vec<IpAddr>,
        /// The smallest TTL of the records used, seconds.
        ttl: u32,
    },
    /// The host name does not exist (NXDOMAIN).
    NxDomain {
        /// Negative-caching TTL (RFC 2308), if any.
        negative_ttl: Option<u32>,
    },
    /// The host exists without records of this type (NODATA).
    NoData {
        /// Negative-caching TTL (RFC 2308), if any.
        negative_ttl: Option<u32>,
    },
}

/// A reply to a query: complete, or truncated (TC bit: retry over TCP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<T> {
    /// A complete answer.
    Answer(T),
    /// The server set TC: the answer did not fit; ask again over TCP.
    Truncated,
}

/// A DNS query for RVP discovery, and the reader of its reply.
///
/// ```
/// use im_url::{DnsQuery, Domain};
/// let domain: Domain = "adatum.com".parse()?;
/// let q = DnsQuery::srv(&domain, 0x1234);
/// assert_eq!(q.name(), "_rvp._tcp.adatum.com");
/// let bytes = q.to_bytes()?;
/// assert_eq!(&bytes[..2], &[0x12, 0x34]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct DnsQuery {
    id: u16,
    name: String,
    kind: QueryKind,
    edns_payload: Option<u16>,
}

impl DnsQuery {
    /// The SRV query `_rvp._tcp.<domain>` with message id `id`.
    pub fn srv(domain: &Domain, id: u16) -> Self {
        Self {
            id,
            name: domain.rvp_srv_name(),
            kind: QueryKind::Srv,
            edns_payload: None,
        }
    }

    /// An address query (A or AAAA) for `host`.
    pub fn addr(host: &Domain, kind: QueryKind, id: u16) -> Self {
        Self {
            id,
            name: host.as_str().to_owned(),
            kind,
            edns_payload: None,
        }
    }

    /// Advertises an EDNS(0) UDP payload size (RFC 6891), so larger answers fit in UDP.
    /// Without it, servers truncate UDP answers at 512 bytes.
    #[must_use]
    pub fn with_edns(mut self, payload: u16) -> Self {
        self.edns_payload = Some(payload.max(512));
        self
    }

    /// The same query with message id `id` (use a fresh random id per query sent).
    #[must_use]
    pub fn with_id(mut self, id: u16) -> Self {
        self.id = id;
        self
    }

    /// The message id.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// The queried name (no trailing dot).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What is asked.
    pub fn kind(&self) -> QueryKind {
        self.kind
    }

    fn hickory_name(&self) -> Result<Name, DnsError> {
        let mut name = Name::from_ascii(&self.name).map_err(|_| DnsError::Encode)?;
        name.set_fqdn(true);
        Ok(name)
    }

    /// The query in DNS wire format (recursion desired; EDNS if set).
    ///
    /// # Errors
    /// [`DnsError::Encode`] if the name cannot be encoded (not expected for a valid
    /// [`Domain`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, DnsError> {
        let mut msg = Message::new(self.id, MessageType::Query, OpCode::Query);
        msg.metadata.recursion_desired = true;
        let mut q = Query::query(self.hickory_name()?, self.kind.record_type());
        q.set_query_class(DNSClass::IN);
        msg.add_query(q);
        if let Some(payload) = self.edns_payload {
            let mut edns = Edns::new();
            edns.set_max_payload(payload);
            msg.set_edns(edns);
        }
        msg.to_vec().map_err(|_| DnsError::Encode)
    }

    /// Decodes a reply and checks that it answers this query (id, response bit, question).
    fn decode(&self, bytes: &[u8]) -> Result<Option<Decoded>, DnsError> {
        // The header alone tells truncation; a truncated message may not decode fully.
        if bytes.len() < 12 {
            return Err(DnsError::Malformed);
        }
        let id = u16::from_be_bytes([bytes[0], bytes[1]]);
        if id != self.id {
            return Err(DnsError::IdMismatch {
                expected: self.id,
                got: id,
            });
        }
        let flags = bytes[2];
        if flags & 0x80 == 0 {
            return Err(DnsError::WrongQuestion);
        }
        if flags & 0x02 != 0 {
            return Ok(None);
        }
        let msg = Message::from_vec(bytes).map_err(|_| DnsError::Malformed)?;
        let asked = self.hickory_name()?;
        let ok = msg.queries.len() == 1
            && msg.queries[0].name() == &asked
            && msg.queries[0].query_type() == self.kind.record_type();
        if !ok {
            return Err(DnsError::WrongQuestion);
        }
        let rcode = msg.metadata.response_code;
        if rcode != ResponseCode::NoError && rcode != ResponseCode::NXDomain {
            return Err(DnsError::ServerFailure {
                rcode: u16::from(rcode),
            });
        }
        Ok(Some(Decoded {
            nxdomain: rcode == ResponseCode::NXDomain,
            negative_ttl: negative_ttl(&msg),
            chain: cname_chain(&asked, &msg.answers),
            msg,
        }))
    }

    /// Reads the reply to an SRV query.
    ///
    /// Records for other names are ignored (CNAME chains of up to [`MAX_CNAME_CHAIN`]
    /// are followed). A/AAAA records for the targets, in the answer or additional
    /// section, fill [`SrvTarget::addrs`]. A lone target `.` is [`SrvAnswer::NoService`];
    /// a `.` among other targets is ignored, as are targets that are not valid host names.
    ///
    /// # Errors
    /// [`DnsError`]: not an answer to this query, a server error code (SERVFAIL,
    /// REFUSED, ...), more than [`MAX_SRV_RECORDS`] records, or only invalid targets.
    pub fn read_srv(&self, bytes: &[u8]) -> Result<Reply<SrvAnswer>, DnsError> {
        let Some(d) = self.decode(bytes)? else {
            return Ok(Reply::Truncated);
        };
        if d.nxdomain {
            return Ok(Reply::Answer(SrvAnswer::NxDomain {
                negative_ttl: d.negative_ttl,
            }));
        }
        let srvs: Vec<(&Record, u16, u16, u16, &Name)> = d
            .msg
            .answers
            .iter()
            .filter(|r| d.chain.contains(&key(&r.name)))
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some((r, s.priority, s.weight, s.port, &s.target)),
                _ => None,
            })
            .collect();
        if srvs.len() > MAX_SRV_RECORDS {
            return Err(DnsError::TooManyRecords {
                max: MAX_SRV_RECORDS,
            });
        }
        if srvs.is_empty() {
            return Ok(Reply::Answer(SrvAnswer::NoData {
                negative_ttl: d.negative_ttl,
            }));
        }
        if let [(r, _, _, _, target)] = srvs.as_slice()
            && target.is_root()
        {
            return Ok(Reply::Answer(SrvAnswer::NoService { ttl: r.ttl }));
        }
        let mut targets = Vec::with_capacity(srvs.len());
        let mut ttl = u32::MAX;
        let mut first_bad = None;
        for (r, priority, weight, port, target) in srvs {
            if target.is_root() {
                continue;
            }
            let domain = match Domain::new(&key(target)) {
                Ok(d) => d,
                Err(e) => {
                    first_bad.get_or_insert(e);
                    continue;
                }
            };
            let (addrs, addr_ttl) = glue(&d.msg, &key(target));
            ttl = ttl.min(r.ttl);
            if let Some(t) = addr_ttl {
                ttl = ttl.min(t);
            }
            targets.push(SrvTarget {
                target: domain,
                port,
                priority,
                weight,
                ttl: r.ttl,
                addrs,
            });
        }
        match (targets.is_empty(), first_bad) {
            (true, Some(e)) => Err(DnsError::BadName(e)),
            (true, None) => Ok(Reply::Answer(SrvAnswer::NoData {
                negative_ttl: d.negative_ttl,
            })),
            _ => Ok(Reply::Answer(SrvAnswer::Targets { targets, ttl })),
        }
    }

    /// Reads the reply to an A or AAAA query.
    ///
    /// # Errors
    /// As for [`DnsQuery::read_srv`].
    pub fn read_addrs(&self, bytes: &[u8]) -> Result<Reply<AddrAnswer>, DnsError> {
        let Some(d) = self.decode(bytes)? else {
            return Ok(Reply::Truncated);
        };
        if d.nxdomain {
            return Ok(Reply::Answer(AddrAnswer::NxDomain {
                negative_ttl: d.negative_ttl,
            }));
        }
        let mut addrs = Vec::new();
        let mut ttl = u32::MAX;
        for r in d
            .msg
            .answers
            .iter()
            .filter(|r| d.chain.contains(&key(&r.name)))
        {
            let ip = match (&r.data, self.kind) {
                (RData::A(a), QueryKind::A) => IpAddr::V4(a.0),
                (RData::AAAA(a), QueryKind::Aaaa) => IpAddr::V6(a.0),
                _ => continue,
            };
            if addrs.len() < MAX_ADDRS_PER_HOST && !addrs.contains(&ip) {
                addrs.push(ip);
                ttl = ttl.min(r.ttl);
            }
        }
        if addrs.is_empty() {
            return Ok(Reply::Answer(AddrAnswer::NoData {
                negative_ttl: d.negative_ttl,
            }));
        }
        Ok(Reply::Answer(AddrAnswer::Addrs { addrs, ttl }))
    }
}

struct Decoded {
    msg: Message,
    nxdomain: bool,
    negative_ttl: Option<u32>,
    chain: HashSet<String>,
}

/// A name as a comparison key: lower case, no trailing dot.
fn key(name: &Name) -> String {
    let mut s = name.to_ascii().to_ascii_lowercase();
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// The queried name and the names it is a CNAME of, within the answer section.
fn cname_chain(asked: &Name, answers: &[Record]) -> HashSet<String> {
    let mut chain = HashSet::new();
    let mut current = key(asked);
    chain.insert(current.clone());
    for _ in 0..MAX_CNAME_CHAIN {
        let next = answers.iter().find_map(|r| match &r.data {
            RData::CNAME(c) if key(&r.name) == current => Some(key(&c.0)),
            _ => None,
        });
        match next {
            Some(n) if chain.insert(n.clone()) => current = n,
            _ => break,
        }
    }
    chain
}

/// RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM field.
fn negative_ttl(msg: &Message) -> Option<u32> {
    msg.authorities.iter().find_map(|r| match &r.data {
        RData::SOA(soa) => Some(r.ttl.min(soa.minimum)),
        _ => None,
    })
}

/// A/AAAA records for `host` anywhere in the answer or additional sections.
fn glue(msg: &Message, host: &str) -> (Vec<IpAddr>, Option<u32>) {
    let mut addrs = Vec::new();
    let mut ttl: Option<u32> = None;
    for r in msg.answers.iter().chain(msg.additionals.iter()) {
        let ip = match &r.data {
            RData::A(a) => IpAddr::V4(a.0),
            RData::AAAA(a) => IpAddr::V6(a.0),
            _ => continue,
        };
        if key(&r.name) != host || addrs.len() >= MAX_ADDRS_PER_HOST || addrs.contains(&ip) {
            continue;
        }
        addrs.push(ip);
        ttl = Some(ttl.map_or(r.ttl, |t| t.min(r.ttl)));
    }
    (addrs, ttl)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, AAAA, CNAME, SOA, SRV, TXT};
    use std::net::{Ipv4Addr, Ipv6Addr};

    pub(crate) fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    /// A response to `q` with the given sections.
    pub(crate) fn response(
        q: &DnsQuery,
        rcode: ResponseCode,
        answers: Vec<Record>,
        authorities: Vec<Record>,
        additionals: Vec<Record>,
    ) -> Vec<u8> {
        let mut msg = Message::new(q.id(), MessageType::Response, OpCode::Query);
        msg.metadata.response_code = rcode;
        msg.add_query(Query::query(
            q.hickory_name().unwrap(),
            q.kind().record_type(),
        ));
        msg.insert_answers(answers);
        msg.insert_authorities(authorities);
        msg.insert_additionals(additionals);
        msg.to_vec().unwrap()
    }

    fn srv(owner: &str, ttl: u32, prio: u16, weight: u16, port: u16, target: &str) -> Record {
        Record::from_rdata(
            name(owner),
            ttl,
            RData::SRV(SRV::new(prio, weight, port, name(target))),
        )
    }

    fn soa(ttl: u32, minimum: u32) -> Record {
        Record::from_rdata(
            name("adatum.com."),
            ttl,
            RData::SOA(SOA::new(
                name("ns.adatum.com."),
                name("hostmaster.adatum.com."),
                1,
                3600,
                600,
                86400,
                minimum,
            )),
        )
    }

    fn domain() -> Domain {
        "adatum.com".parse().unwrap()
    }

    #[test]
    fn query_bytes_decode_back() {
        let q = DnsQuery::srv(&domain(), 7).with_edns(1232);
        let m = Message::from_vec(&q.to_bytes().unwrap()).unwrap();
        assert_eq!(m.metadata.id, 7);
        assert!(m.metadata.recursion_desired);
        assert_eq!(m.queries[0].query_type(), RecordType::SRV);
        assert_eq!(m.queries[0].name().to_ascii(), "_rvp._tcp.adatum.com.");
        assert_eq!(m.edns.as_ref().map(Edns::max_payload), Some(1232));
    }

    #[test]
    fn srv_targets_with_glue() {
        let q = DnsQuery::srv(&domain(), 1);
        let bytes = response(
            &q,
            ResponseCode::NoError,
            vec![
                srv("_rvp._tcp.adatum.com.", 300, 10, 60, 80, "im.adatum.com."),
                srv("_rvp._tcp.adatum.com.", 200, 20, 0, 8080, "im2.adatum.com."),
                srv("other.adatum.com.", 5, 0, 0, 1, "evil.example."),
            ],
            vec![],
            vec![
                Record::from_rdata(
                    name("IM.adatum.com."),
                    100,
                    RData::A(A(Ipv4Addr::new(10, 0, 0, 1))),
                ),
                Record::from_rdata(
                    name("im.adatum.com."),
                    150,
                    RData::AAAA(AAAA(Ipv6Addr::LOCALHOST)),
                ),
            ],
        );
        let Reply::Answer(SrvAnswer::Targets { targets, ttl }) = q.read_srv(&bytes).unwrap() else {
            panic!("expected targets");
        };
        assert_eq!(ttl, 100);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].target.as_str(), "im.adatum.com");
        assert_eq!(
            (targets[0].priority, targets[0].weight, targets[0].port),
            (10, 60, 80)
        );
        assert_eq!(targets[0].ttl, 300);
        assert_eq!(targets[0].addrs.len(), 2);
        assert!(targets[1].addrs.is_empty());
        assert_eq!(targets[1].port, 8080);
    }

    #[test]
    fn nxdomain_nodata_and_no_service() {
        let q = DnsQuery::srv(&domain(), 2);
        let nx = response(
            &q,
            ResponseCode::NXDomain,
            vec![],
            vec![soa(3600, 300)],
            vec![],
        );
        assert_eq!(
            q.read_srv(&nx).unwrap(),
            Reply::Answer(SrvAnswer::NxDomain {
                negative_ttl: Some(300)
            })
        );
        let nodata = response(
            &q,
            ResponseCode::NoError,
            vec![Record::from_rdata(
                name("_rvp._tcp.adatum.com."),
                60,
                RData::TXT(TXT::new(vec!["x".to_owned()])),
            )],
            vec![soa(30, 300)],
            vec![],
        );
        assert_eq!(
            q.read_srv(&nodata).unwrap(),
            Reply::Answer(SrvAnswer::NoData {
                negative_ttl: Some(30)
            })
        );
        let dot = response(
            &q,
            ResponseCode::NoError,
            vec![srv("_rvp._tcp.adatum.com.", 86400, 0, 0, 0, ".")],
            vec![],
            vec![],
        );
        assert_eq!(
            q.read_srv(&dot).unwrap(),
            Reply::Answer(SrvAnswer::NoService { ttl: 86400 })
        );
    }

    #[test]
    fn errors_and_truncation() {
        let q = DnsQuery::srv(&domain(), 3);
        let refused = response(&q, ResponseCode::Refused, vec![], vec![], vec![]);
        assert_eq!(
            q.read_srv(&refused),
            Err(DnsError::ServerFailure { rcode: 5 })
        );
        let other = DnsQuery::srv(&"other.com".parse().unwrap(), 3);
        let wrong = response(&other, ResponseCode::NoError, vec![], vec![], vec![]);
        assert_eq!(q.read_srv(&wrong), Err(DnsError::WrongQuestion));
        let mut tc = response(&q, ResponseCode::NoError, vec![], vec![], vec![]);
        tc[2] |= 0x02;
        assert_eq!(q.read_srv(&tc), Ok(Reply::Truncated));
        assert_eq!(
            DnsQuery::srv(&domain(), 4).read_srv(&tc),
            Err(DnsError::IdMismatch {
                expected: 4,
                got: 3
            })
        );
        assert_eq!(q.read_srv(&[0; 5]), Err(DnsError::Malformed));
        assert_eq!(
            q.read_srv(&q.to_bytes().unwrap()),
            Err(DnsError::WrongQuestion)
        );
        let many: Vec<Record> = (0..=MAX_SRV_RECORDS)
            .map(|i| {
                srv(
                    "_rvp._tcp.adatum.com.",
                    60,
                    0,
                    0,
                    80,
                    &format!("h{i}.adatum.com."),
                )
            })
            .collect();
        let big = response(&q, ResponseCode::NoError, many, vec![], vec![]);
        assert_eq!(
            q.read_srv(&big),
            Err(DnsError::TooManyRecords {
                max: MAX_SRV_RECORDS
            })
        );
        let bad = response(
            &q,
            ResponseCode::NoError,
            vec![srv(
                "_rvp._tcp.adatum.com.",
                60,
                0,
                0,
                80,
                "bad_name.adatum.com.",
            )],
            vec![],
            vec![],
        );
        assert!(matches!(q.read_srv(&bad), Err(DnsError::BadName(_))));
    }

    #[test]
    fn addresses_follow_cnames() {
        let host: Domain = "im.adatum.com".parse().unwrap();
        let q = DnsQuery::addr(&host, QueryKind::A, 9);
        let bytes = response(
            &q,
            ResponseCode::NoError,
            vec![
                Record::from_rdata(
                    name("im.adatum.com."),
                    500,
                    RData::CNAME(CNAME(name("real.adatum.com."))),
                ),
                Record::from_rdata(
                    name("real.adatum.com."),
                    50,
                    RData::A(A(Ipv4Addr::new(192, 0, 2, 1))),
                ),
                Record::from_rdata(
                    name("unrelated.example."),
                    50,
                    RData::A(A(Ipv4Addr::new(192, 0, 2, 9))),
                ),
            ],
            vec![],
            vec![],
        );
        assert_eq!(
            q.read_addrs(&bytes).unwrap(),
            Reply::Answer(AddrAnswer::Addrs {
                addrs: vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))],
                ttl: 50
            })
        );
    }
}
