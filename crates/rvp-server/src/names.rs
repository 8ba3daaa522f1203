//! Which node a URL names: a principal of one of our domains, or someone
//! else's.
//!
//! A principal of ours has one canonical identity, its logical URL
//! `http://<domain>/instmsg/aliases/<alias>` with the alias in the case the
//! directory stores, whatever form a client used to reach it: the domain or
//! one of its host names (librvp after an SRV lookup writes
//! `http://im.example.com:18207/instmsg/aliases/alice`), origin-form with a
//! `Host` header, or the physical URL `/instmsg/local/<domain>/...`.

use im_url::{Alias, Domain, Host, NodePath, NodeUrl};
use presence_model::PrincipalId;

use crate::config::Config;

/// What a URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// A principal of one of our domains (it may or may not exist).
    Ours {
        /// Index into the configured domains.
        domain: usize,
        /// The alias as written in the URL.
        alias: Alias,
    },
    /// A principal of another IM domain.
    Foreign(NodeUrl),
    /// A node that is not a principal (`/`, `/groups/...`, ...).
    NotAPrincipal,
}

/// The domains and names this server answers for.
#[derive(Debug)]
pub(crate) struct Names {
    domains: Vec<String>,
    host_names: Vec<(String, usize)>,
    /// Host part of our own server authority, which names the first domain.
    own_host: String,
}

impl Names {
    pub(crate) fn new(config: &Config) -> Self {
        let domains: Vec<String> = config
            .domains
            .iter()
            .map(|d| d.name.to_ascii_lowercase())
            .collect();
        let host_names = config
            .domains
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                d.host_names
                    .iter()
                    .map(move |h| (host_only(h).to_ascii_lowercase(), i))
            })
            .collect();
        let own = config.server_authority();
        Self {
            domains,
            host_names,
            own_host: host_only(&own).to_ascii_lowercase(),
        }
    }

    /// The configured domain names, lower case.
    pub(crate) fn domains(&self) -> &[String] {
        &self.domains
    }

    /// The domain with this name, if it is ours.
    pub(crate) fn domain_index(&self, name: &str) -> Option<usize> {
        self.domains
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name))
    }

    /// Which of our domains a host (without port) stands for. The domain
    /// itself, one of its host names, our own server name, `localhost` or an
    /// IP literal (a client that was given our address) name the first
    /// domain unless they are a domain of their own.
    pub(crate) fn domain_of_host(&self, host: &Host) -> Option<usize> {
        let text = host.to_string();
        let text = text.trim_start_matches('[').trim_end_matches(']');
        if let Some(i) = self.domain_index(text) {
            return Some(i);
        }
        if let Some((_, i)) = self
            .host_names
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(text))
        {
            return Some(*i);
        }
        if host.ip().is_some()
            || text.eq_ignore_ascii_case("localhost")
            || text.eq_ignore_ascii_case(&self.own_host)
        {
            return Some(0);
        }
        None
    }

    /// Classifies a node URL.
    pub(crate) fn classify(&self, url: &NodeUrl) -> Named {
        match url.path() {
            NodePath::Principal(alias) => match self.domain_of_host(url.host()) {
                Some(domain) => Named::Ours {
                    domain,
                    alias: alias.clone(),
                },
                None => Named::Foreign(url.clone()),
            },
            NodePath::Local { im, alias } => match self.domain_of_host(im.host()) {
                Some(domain) => Named::Ours {
                    domain,
                    alias: alias.clone(),
                },
                None => url
                    .to_logical()
                    .map_or(Named::NotAPrincipal, Named::Foreign),
            },
            _ => Named::NotAPrincipal,
        }
    }

    /// Parses and classifies a URL given as text (a header or XML value).
    pub(crate) fn classify_str(&self, url: &str) -> Option<Named> {
        NodeUrl::parse(url.trim()).ok().map(|u| self.classify(&u))
    }

    /// The canonical logical URL of a principal of ours. Aliases compare
    /// case-insensitively, so the canonical form folds them to lower case.
    pub(crate) fn logical(&self, domain: usize, alias: &str) -> String {
        format!(
            "http://{}/instmsg/aliases/{}",
            self.domains.get(domain).map_or("", String::as_str),
            alias.to_ascii_lowercase()
        )
    }

    /// The canonical identity of any principal URL: ours as
    /// [`logical`](Self::logical), a foreign one as its logical URL folded
    /// to lower case.
    pub(crate) fn principal_id(&self, named: &Named) -> Option<PrincipalId> {
        match named {
            Named::Ours { domain, alias } => {
                Some(PrincipalId::new(self.logical(*domain, alias.as_str())))
            }
            Named::Foreign(url) => url
                .to_logical()
                .map(|u| PrincipalId::new(u.to_string().to_ascii_lowercase())),
            Named::NotAPrincipal => None,
        }
    }

    /// The IM domain of a foreign principal URL: its host when it is a
    /// name (the domain part of `alias@domain` for logical URLs).
    pub(crate) fn foreign_domain(url: &NodeUrl) -> Option<Domain> {
        let logical = url.to_logical()?;
        logical.host().as_domain().cloned()
    }
}

/// `host` from `host[:port]` (IPv6 literals keep their brackets).
pub(crate) fn host_only(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.find(']').map_or(authority, |i| &authority[..=i]);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let c = Config::parse(
            "[[domain]]\nname = \"example.com\"\nhost-names = [\"im.example.com\"]\n[[domain]]\nname = \"other.test\"",
        )
        .unwrap();
        Names::new(&c)
    }

    fn classify(n: &Names, s: &str) -> Named {
        n.classify(&NodeUrl::parse(s).unwrap())
    }

    #[test]
    fn every_form_of_our_principal_is_ours() {
        let n = names();
        for url in [
            "http://example.com/instmsg/aliases/alice",
            "http://EXAMPLE.com:80/instmsg/aliases/alice",
            "http://im.example.com:18207/instmsg/aliases/alice",
            "http://127.0.0.1:8080/instmsg/aliases/alice",
            "http://home1:8080/instmsg/local/example.com/instmsg/aliases/alice",
        ] {
            match classify(&n, url) {
                Named::Ours { domain: 0, alias } => assert_eq!(alias.as_str(), "alice"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(matches!(
            classify(&n, "http://other.test/instmsg/aliases/bob"),
            Named::Ours { domain: 1, .. }
        ));
    }

    #[test]
    fn foreign_and_other_nodes() {
        let n = names();
        let Named::Foreign(u) = classify(&n, "http://adatum.com/instmsg/aliases/jo") else {
            panic!()
        };
        assert_eq!(Names::foreign_domain(&u).unwrap().as_str(), "adatum.com");
        assert_eq!(
            n.principal_id(&Named::Foreign(u)).unwrap().as_str(),
            "http://adatum.com/instmsg/aliases/jo"
        );
        assert_eq!(classify(&n, "http://example.com/"), Named::NotAPrincipal);
        assert_eq!(n.classify_str("not a url"), None);
    }

    #[test]
    fn host_only_strips_ports() {
        assert_eq!(host_only("a.example:80"), "a.example");
        assert_eq!(host_only("a.example"), "a.example");
        assert_eq!(host_only("[::1]:80"), "[::1]");
    }
}
