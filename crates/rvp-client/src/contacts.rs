//! The contact list kept on the client, as Exchange IM did: one file per
//! account, one address a line.

use std::path::{Path, PathBuf};

use im_url::Address;

use crate::error::Error;

/// The contact list file of one account.
#[derive(Debug, Clone)]
pub(crate) struct ContactFile {
    path: PathBuf,
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
        }
    }

    /// The saved contacts; none when the file does not exist. Lines that are
    /// not addresses (and `#` comments) are skipped.
    pub(crate) fn load(&self) -> Result<Vec<Address>, Error> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(Error::ContactFile {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// Replaces the file with `contacts` (written to a temporary file, then
    /// renamed, so a crash never leaves half a list).
    pub(crate) fn save(&self, contacts: &[Address]) -> Result<(), Error> {
        let err = |source| Error::ContactFile {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut text = String::from("# rvp contact list: one address a line\n");
        for c in contacts {
            text.push_str(&c.to_string());
            text.push('\n');
        }
        let tmp = self.path.with_extension("contacts.tmp");
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, &self.path).map_err(err)
    }
}

fn parse(text: &str) -> Vec<Address> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| Address::parse(l).ok())
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
        f.save(&list).unwrap();
        assert_eq!(f.load().unwrap(), list);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_lines_are_skipped() {
        assert_eq!(parse("# c\n\nnot an address\nbob@x.com\n").len(), 1);
    }
}
