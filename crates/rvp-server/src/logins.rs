//! The logins of hosted principals (their pragma/notify subscriptions), with
//! indexes by callback URL and by principal so that delivery outcomes and
//! log-offs cost no scan of every login.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use http::HeaderMap;
use presence_model::{Origin, PrincipalId, SubscriptionId};

/// How a login receives what is sent to its principal.
#[derive(Debug)]
pub(crate) enum LoginMode {
    /// Pushed to the client's listener.
    Callback(String),
    /// Queued until the client polls (this project's polling extension).
    Polling {
        queue: VecDeque<Queued>,
        dropped: u64,
    },
}

/// A notification waiting for a polling client.
#[derive(Clone, Debug)]
pub(crate) struct Queued {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// One login: a pragma/notify subscription on the principal's own node.
#[derive(Debug)]
pub(crate) struct Login {
    pub(crate) principal: PrincipalId,
    pub(crate) origin: Origin,
    pub(crate) mode: LoginMode,
    pub(crate) failures: u32,
}

/// Every login, indexed.
#[derive(Debug, Default)]
pub(crate) struct Logins {
    by_id: HashMap<SubscriptionId, Login>,
    by_callback: HashMap<String, Vec<SubscriptionId>>,
    by_principal: HashMap<PrincipalId, Vec<SubscriptionId>>,
}

fn unlink<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Vec<SubscriptionId>>,
    key: &K,
    id: SubscriptionId,
) {
    if let Some(ids) = map.get_mut(key) {
        ids.retain(|x| *x != id);
        if ids.is_empty() {
            map.remove(key);
        }
    }
}

impl Logins {
    /// Adds (or replaces) a login.
    pub(crate) fn insert(&mut self, id: SubscriptionId, login: Login) {
        self.remove(&id);
        if let LoginMode::Callback(url) = &login.mode {
            self.by_callback.entry(url.clone()).or_default().push(id);
        }
        self.by_principal
            .entry(login.principal.clone())
            .or_default()
            .push(id);
        self.by_id.insert(id, login);
    }

    /// Removes a login.
    pub(crate) fn remove(&mut self, id: &SubscriptionId) -> Option<Login> {
        let login = self.by_id.remove(id)?;
        if let LoginMode::Callback(url) = &login.mode {
            unlink(&mut self.by_callback, url, *id);
        }
        unlink(&mut self.by_principal, &login.principal, *id);
        Some(login)
    }

    /// A login, to change its queue or failure count.
    pub(crate) fn get_mut(&mut self, id: SubscriptionId) -> Option<&mut Login> {
        self.by_id.get_mut(&id)
    }

    /// The logins pushed to `url`.
    pub(crate) fn with_callback(&self, url: &str) -> Vec<SubscriptionId> {
        self.by_callback.get(url).cloned().unwrap_or_default()
    }

    /// The logins of a principal.
    pub(crate) fn of_principal<'a>(
        &'a self,
        principal: &PrincipalId,
    ) -> impl Iterator<Item = &'a Login> + 'a {
        self.by_principal
            .get(principal)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
    }

    /// Removes every login.
    pub(crate) fn drain(&mut self) -> Vec<(SubscriptionId, Login)> {
        self.by_callback.clear();
        self.by_principal.clear();
        self.by_id.drain().collect()
    }

    /// How many logins there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there is a login with this id.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn contains(&self, id: SubscriptionId) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Every login.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (SubscriptionId, &Login)> + '_ {
        self.by_id.iter().map(|(id, l)| (*id, l))
    }

    /// Whether both indexes list exactly the logins there are, each once
    /// under its own callback and principal; otherwise the first login found
    /// listed wrongly (`None` when only the counts disagree).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn check_indexes(&self) -> Result<(), Option<SubscriptionId>> {
        let mut listed = 0;
        for (url, ids) in &self.by_callback {
            listed += ids.len();
            for id in ids {
                let ok = matches!(self.by_id.get(id).map(|l| &l.mode), Some(LoginMode::Callback(u)) if u == url)
                    && ids.iter().filter(|x| *x == id).count() == 1;
                if !ok {
                    return Err(Some(*id));
                }
            }
        }
        let callbacks = self
            .by_id
            .values()
            .filter(|l| matches!(l.mode, LoginMode::Callback(_)))
            .count();
        let mut by_principal = 0;
        for (principal, ids) in &self.by_principal {
            by_principal += ids.len();
            for id in ids {
                let ok = self
                    .by_id
                    .get(id)
                    .is_some_and(|l| &l.principal == principal)
                    && ids.iter().filter(|x| *x == id).count() == 1;
                if !ok {
                    return Err(Some(*id));
                }
            }
        }
        if listed != callbacks || by_principal != self.by_id.len() {
            return Err(None);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(p: &str, url: &str) -> Login {
        Login {
            principal: PrincipalId::new(p),
            origin: Origin(1),
            mode: LoginMode::Callback(url.into()),
            failures: 0,
        }
    }

    #[test]
    fn indexes_follow_inserts_and_removals() {
        let mut l = Logins::default();
        let (a, b) = (SubscriptionId::new(1), SubscriptionId::new(2));
        l.insert(a, login("http://x/instmsg/aliases/a", "http://127.0.0.1:1"));
        l.insert(b, login("http://x/instmsg/aliases/a", "http://127.0.0.1:1"));
        assert_eq!(l.with_callback("http://127.0.0.1:1"), vec![a, b]);
        assert_eq!(
            l.of_principal(&PrincipalId::new("http://x/instmsg/aliases/a"))
                .count(),
            2
        );
        assert!(l.remove(&a).is_some());
        assert_eq!(l.with_callback("http://127.0.0.1:1"), vec![b]);
        // Replacing keeps one entry per id.
        l.insert(b, login("http://x/instmsg/aliases/a", "http://127.0.0.1:2"));
        assert!(l.with_callback("http://127.0.0.1:1").is_empty());
        assert_eq!(l.with_callback("http://127.0.0.1:2"), vec![b]);
        assert_eq!(l.len(), 1);
        assert_eq!(l.drain().len(), 1);
        assert!(l.with_callback("http://127.0.0.1:2").is_empty());
        assert_eq!(
            l.of_principal(&PrincipalId::new("http://x/instmsg/aliases/a"))
                .count(),
            0
        );
    }
}
