//! Consent categories and the per-client consent bitmask.
//!
//! The bitmask is what makes the disabled path cost a single relaxed atomic
//! load: every category is one bit, all bits start at zero (opt-in only).

/// Consent categories; all off by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consent {
    /// Product usage: which features are used, how often.
    Usage,
    /// Diagnostics: errors, crashes, failure reasons.
    Diagnostics,
    /// Performance: timings, sizes, resource use.
    Performance,
}

impl Consent {
    /// Every category, in bit order.
    pub const ALL: [Consent; 3] = [Consent::Usage, Consent::Diagnostics, Consent::Performance];

    /// Stable lowercase name used in schemas, the consent file and docs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Consent::Usage => "usage",
            Consent::Diagnostics => "diagnostics",
            Consent::Performance => "performance",
        }
    }

    /// The category's bit in a consent mask.
    pub const fn bit(self) -> u8 {
        match self {
            Consent::Usage => 1,
            Consent::Diagnostics => 2,
            Consent::Performance => 4,
        }
    }

    /// Parses the name produced by [`Consent::as_str`].
    pub fn from_name(name: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_distinct_and_names_round_trip() {
        let mut seen = 0u8;
        for c in Consent::ALL {
            assert_eq!(seen & c.bit(), 0);
            seen |= c.bit();
            assert_eq!(Consent::from_name(c.as_str()), Some(c));
        }
        assert_eq!(seen, 0b111);
        assert_eq!(Consent::from_name("marketing"), None);
    }
}

/// Persistence of the consent choice in the app's state directory.
///
/// File `consent`, one `category=granted|denied` line per category, written
/// to a temporary file and renamed so a crash never leaves a half-written
/// choice. An unreadable file counts as "no choice made" (everything off).
pub(crate) mod store {
    use super::Consent;
    use std::fs;
    use std::io;
    use std::path::Path;

    pub(crate) fn load(dir: &Path) -> Option<u8> {
        let text = fs::read_to_string(dir.join("consent")).ok()?;
        let mut mask = 0;
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            if let (Some(c), "granted") = (Consent::from_name(k.trim()), v.trim()) {
                mask |= c.bit();
            }
        }
        Some(mask)
    }

    pub(crate) fn save(dir: &Path, mask: u8) -> io::Result<()> {
        let mut text = String::from("# candor consent v1\n");
        for c in Consent::ALL {
            let v = if mask & c.bit() != 0 {
                "granted"
            } else {
                "denied"
            };
            text.push_str(&format!("{}={v}\n", c.as_str()));
        }
        write_atomic(dir, "consent", text.as_bytes())
    }

    pub(crate) fn load_install_id(dir: &Path) -> Option<String> {
        let id = fs::read_to_string(dir.join("install_id")).ok()?;
        let id = id.trim();
        (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_owned())
    }

    pub(crate) fn save_install_id(dir: &Path, id: Option<&str>) -> io::Result<()> {
        match id {
            Some(id) => write_atomic(dir, "install_id", id.as_bytes()),
            None => match fs::remove_file(dir.join("install_id")) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        }
    }

    fn write_atomic(dir: &Path, name: &str, data: &[u8]) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let tmp = dir.join(format!("{name}.tmp"));
        fs::write(&tmp, data)?;
        fs::rename(tmp, dir.join(name))
    }
}
