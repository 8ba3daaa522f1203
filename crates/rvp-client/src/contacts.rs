//! The contact list kept on the client, as Exchange IM did: one file per
//! account, one address a line.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use im_url::Address;

use crate::error::Error;

/// The most contacts read from a file (more are ignored, with a warning).
pub(crate) const MAX_CONTACTS: usize = 10_000;
/// The largest contact file read.
const MAX_FILE_BYTES: u64 = 4 << 20;

/// The contact list file of one account.
#[derive(Debug)]
pub(crate) struct ContactFile {
    path: PathBuf,
    /// Held while a list is snapshotted and written, so that concurrent
    /// saves land in order (the last one written is the newest list).
    writing: Mutex<()>,
}

impl ContactFile {
    /// `<dir>/<alias@domain>.contacts`.
    pub(crate) fn for_account(dir: &Path, account: &Address) -> Self {
        let name = format!(
            "{}@{}.contacts",
            account.alias().to_folded(),
            account.domain().to_folded()
        );
        Self {
            path: dir.join(name),
            writing: Mutex::new(()),
        }
    }

    /// The saved contacts (at most [`MAX_CONTACTS`]); none when the file
    /// does not exist. Lines that are not addresses (and `#` comments) are
    /// skipped, with a warning.
    pub(crate) fn load(&self) -> Result<Vec<Address>, Error> {
        let err = |source| Error::ContactFile {
            path: self.path.clone(),
            source,
        };
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(err(e)),
        };
        let mut text = String::new();
        file.take(MAX_FILE_BYTES)
            .read_to_string(&mut text)
            .map_err(err)?;
        let list = parse(&text);
        if list.len() > MAX_CONTACTS {
            tracing::warn!(path = %self.path.display(), "more than {MAX_CONTACTS} contacts; the rest are ignored");
        }
        Ok(list.into_iter().take(MAX_CONTACTS).collect())
    }

    /// Replaces the file with the list `snapshot` returns, taken while no
    /// other save runs (so the newest list is the one that stays). Written
    /// to a temporary file, synced, then renamed over the old one: a crash
    /// leaves the old list or the new one, never half a list.
    pub(crate) fn save(
        &self,
        snapshot: impl FnOnce() -> Result<Vec<Address>, Error>,
    ) -> Result<(), Error> {
        let err = |source| Error::ContactFile {
            path: self.path.clone(),
            source,
        };
        let _writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let contacts = snapshot()?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut text = String::from("# rvp contact list: one address a line\n");
        for c in &contacts {
            text.push_str(&c.to_string());
            text.push('\n');
        }
        let tmp = self
            .path
            .with_extension(format!("contacts.tmp-{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(err)?;
        f.write_all(text.as_bytes()).map_err(err)?;
        f.sync_all().map_err(err)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(err)
    }
}

fn parse(text: &str) -> Vec<Address> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| match Address::parse(l) {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::warn!("contact list: skipping {l:?}: {e}");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("rvp-client-contacts-{}", std::process::id()));
        let me: Address = "alice@example.com".parse().unwrap();
        let f = ContactFile::for_account(&dir, &me);
        assert!(f.load().unwrap().is_empty());
        let list: Vec<Address> = vec![
            "bob@example.com".parse().unwrap(),
            "Carol@example.org".parse().unwrap(),
        ];
        f.save(|| Ok(list.clone())).unwrap();
        assert_eq!(f.load().unwrap(), list);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_lines_are_skipped() {
        assert_eq!(parse("# c\n\nnot an address\nbob@x.com\n").len(), 1);
    }
}
