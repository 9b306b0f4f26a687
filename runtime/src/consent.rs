//! Consent categories and the persistence of the consent choice.
//!
//! The categories, their names and their bits in the per-client consent mask
//! are `candor_core::Consent`, shared with the schema compiler (which reads
//! them from schemas) and the collector (which reads them in deletion
//! requests). The mask is what makes the disabled path cost a single relaxed
//! atomic load: every category is one bit, all bits start at zero (opt-in only).

pub use candor_core::Consent;

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

    /// The persisted installation id, if the file holds one in the wire's id form (an id
    /// the wire schema would refuse, e.g. upper-case hex, counts as none and is replaced).
    pub(crate) fn load_install_id(dir: &Path) -> Option<String> {
        let id = fs::read_to_string(dir.join("install_id")).ok()?;
        let id = id.trim();
        candor_core::wire::is_id(id).then(|| id.to_owned())
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

#[cfg(test)]
mod tests {
    use super::{store, Consent};

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("candor-consent-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn the_choice_round_trips_and_unknown_lines_are_ignored() {
        let d = dir("mask");
        store::save(&d, Consent::Usage.bit() | Consent::Performance.bit()).unwrap();
        assert_eq!(store::load(&d), Some(0b101));
        std::fs::write(
            d.join("consent"),
            "usage=granted\nmarketing=granted\nUsage=granted\n",
        )
        .unwrap();
        assert_eq!(store::load(&d), Some(Consent::Usage.bit()));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn only_a_wire_form_install_id_is_loaded() {
        let d = dir("id");
        let id = "0123456789abcdef0123456789abcdef";
        store::save_install_id(&d, Some(id)).unwrap();
        assert_eq!(store::load_install_id(&d).as_deref(), Some(id));
        for bad in [
            &id.to_uppercase(),
            &id[..31],
            "0123456789abcdef0123456789abcdeg",
        ] {
            std::fs::write(d.join("install_id"), bad).unwrap();
            assert_eq!(store::load_install_id(&d), None, "{bad}");
        }
        store::save_install_id(&d, None).unwrap();
        assert_eq!(store::load_install_id(&d), None);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
