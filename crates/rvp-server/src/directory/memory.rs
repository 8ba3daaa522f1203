//! The in-memory directory, and the table both backends keep their entries in.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use super::error::{DirectoryError, Location};
use super::{DEMO_DOMAIN, DEMO_USERS, Directory, NewPrincipal, PrincipalEntry};

/// Principals keyed by (domain, alias), both folded to lower case.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    map: HashMap<(String, String), Arc<PrincipalEntry>>,
}

impl Table {
    fn key(domain: &str, alias: &str) -> (String, String) {
        (domain.to_ascii_lowercase(), alias.to_ascii_lowercase())
    }

    pub(crate) fn get(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>> {
        self.map.get(&Self::key(domain, alias)).cloned()
    }

    /// Adds `entry`; refuses a second principal with the same alias and domain.
    pub(crate) fn insert(
        &mut self,
        entry: PrincipalEntry,
        at: &Location,
    ) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        let key = Self::key(&entry.domain, &entry.alias);
        if self.map.contains_key(&key) {
            return Err(DirectoryError::Duplicate {
                at: at.clone(),
                alias: entry.alias,
                domain: entry.domain,
            });
        }
        let entry = Arc::new(entry);
        self.map.insert(key, Arc::clone(&entry));
        Ok(entry)
    }

    /// Replaces the entry with the same alias and domain.
    pub(crate) fn replace(
        &mut self,
        entry: PrincipalEntry,
    ) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        let key = Self::key(&entry.domain, &entry.alias);
        match self.map.get_mut(&key) {
            Some(slot) => {
                *slot = Arc::new(entry);
                Ok(Arc::clone(slot))
            }
            None => Err(DirectoryError::NotFound {
                alias: entry.alias,
                domain: entry.domain,
            }),
        }
    }

    pub(crate) fn remove(
        &mut self,
        domain: &str,
        alias: &str,
    ) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        self.map
            .remove(&Self::key(domain, alias))
            .ok_or_else(|| DirectoryError::NotFound {
                alias: alias.to_owned(),
                domain: domain.to_owned(),
            })
    }

    /// Every entry, ordered by domain, then alias (ignoring case).
    pub(crate) fn sorted(&self) -> Vec<Arc<PrincipalEntry>> {
        let mut v: Vec<_> = self.map.iter().collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, e)| Arc::clone(e)).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// A directory held in memory only: for tests, embedding and the demo.
///
/// Thread-safe; lookups take a read lock.
///
/// ```
/// use rvp_server::directory::{Directory, MemoryDirectory, NewPrincipal, PrincipalEntry};
///
/// let dir = MemoryDirectory::new();
/// dir.insert(PrincipalEntry::from_password(NewPrincipal::new("alice", "example.com"), "secret")?)?;
/// assert!(dir.lookup("EXAMPLE.com", "Alice").is_some());
/// assert!(dir.insert(PrincipalEntry::from_password(NewPrincipal::new("ALICE", "example.com"), "x")?).is_err());
/// # Ok::<(), rvp_server::directory::DirectoryError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryDirectory {
    table: RwLock<Table>,
}

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// The embedded demo directory: [`DEMO_USERS`] in [`DEMO_DOMAIN`].
    ///
    /// ```
    /// use rvp_server::directory::{DEMO_DOMAIN, Directory, MemoryDirectory};
    ///
    /// let dir = MemoryDirectory::demo();
    /// assert_eq!(dir.principals().len(), 3);
    /// assert!(dir.lookup(DEMO_DOMAIN, "carol").is_some());
    /// ```
    pub fn demo() -> Self {
        let dir = Self::new();
        {
            let mut t = dir.table.write().unwrap_or_else(PoisonError::into_inner);
            for entry in demo_entries() {
                // The demo names are distinct constants: insertion cannot fail.
                let _ = t.insert(entry, &Location::default());
            }
        }
        dir
    }

    /// Adds a principal.
    ///
    /// # Errors
    /// [`DirectoryError::Duplicate`] when one with the same alias and domain exists.
    pub fn insert(&self, entry: PrincipalEntry) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        self.write().insert(entry, &Location::default())
    }

    /// Replaces the principal with the same alias and domain (to change a password, for
    /// example).
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`] when there is none.
    pub fn replace(&self, entry: PrincipalEntry) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        self.write().replace(entry)
    }

    /// Removes a principal.
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`] when there is none.
    pub fn remove(&self, domain: &str, alias: &str) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        self.write().remove(domain, alias)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Directory for MemoryDirectory {
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>> {
        self.table
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(domain, alias)
    }

    fn principals(&self) -> Vec<Arc<PrincipalEntry>> {
        self.table
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .sorted()
    }
}

/// The demo principals, with their credentials derived from the demo passwords.
pub(crate) fn demo_entries() -> impl Iterator<Item = PrincipalEntry> {
    DEMO_USERS.iter().filter_map(|u| {
        PrincipalEntry::from_password(
            NewPrincipal::new(u.alias, DEMO_DOMAIN)
                .display_name(u.display_name)
                .email(u.email),
            u.password,
        )
        .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::DigestAlgorithm;

    #[test]
    fn demo_users() {
        let dir = MemoryDirectory::demo();
        let all = dir.principals();
        let names: Vec<_> = all.iter().map(|e| e.address()).collect();
        assert_eq!(
            names,
            ["alice@localhost", "bob@localhost", "carol@localhost"]
        );
        for u in DEMO_USERS {
            let e = dir.lookup("localhost", u.alias).unwrap();
            assert_eq!(e.display_name.as_deref(), Some(u.display_name));
            let want = crate::directory::StoredCredentials::derive(
                u.alias,
                "localhost",
                "localhost",
                None,
                u.password,
            );
            assert_eq!(
                e.credentials.ha1(DigestAlgorithm::Md5, u.alias),
                want.ha1(DigestAlgorithm::Md5, u.alias)
            );
        }
    }

    #[test]
    fn insert_replace_remove() {
        let dir = MemoryDirectory::new();
        let e = PrincipalEntry::from_password(NewPrincipal::new("Bob", "x.com"), "pw").unwrap();
        dir.insert(e.clone()).unwrap();
        assert!(matches!(
            dir.insert(e.clone()),
            Err(DirectoryError::Duplicate { .. })
        ));
        let e2 = e.with_password("new").unwrap();
        dir.replace(e2.clone()).unwrap();
        assert_eq!(
            dir.lookup("X.COM", "bob").unwrap().credentials,
            e2.credentials
        );
        dir.remove("x.com", "BOB").unwrap();
        assert!(dir.lookup("x.com", "bob").is_none());
        assert!(matches!(
            dir.remove("x.com", "bob"),
            Err(DirectoryError::NotFound { .. })
        ));
        assert!(matches!(
            dir.replace(e2),
            Err(DirectoryError::NotFound { .. })
        ));
    }
}
