//! Well-known credential formats of hosted services, recognised by their
//! documented prefix and body: Stripe, AWS, GitHub, GitLab, Slack, Google,
//! OpenAI, Anthropic, Hugging Face, npm, PyPI, Shopify, DigitalOcean,
//! Square, Twilio, age, and Slack/Discord webhook URLs. Publishable
//! keys meant for browsers (Stripe `pk_…`) are not secrets and pass.

#[derive(Clone, Copy)]
#[repr(u8)]
enum Body {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[A-Za-z0-9_-]`
    Word,
    /// `[A-Z0-9]`
    Upper,
    /// `[0-9a-f]`
    Hex,
    /// `[A-Za-z0-9_/-]` (webhook paths)
    Path,
}

impl Body {
    fn accepts(self, c: u8) -> bool {
        match self {
            Body::Alnum => c.is_ascii_alphanumeric(),
            Body::Word => c.is_ascii_alphanumeric() || c == b'_' || c == b'-',
            Body::Upper => c.is_ascii_uppercase() || c.is_ascii_digit(),
            Body::Hex => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            Body::Path => c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'/'),
        }
    }
}

struct Format {
    prefix: &'static [u8],
    /// The first (up to) eight bytes of the prefix, little-endian, and the
    /// mask of the bytes that count: one comparison rejects most words.
    head: u64,
    head_mask: u64,
    body: Body,
    min: usize,
    max: usize,
}

const fn f(prefix: &'static [u8], body: Body, min: usize, max: usize) -> Format {
    let mut head = 0u64;
    let mut i = 0;
    while i < prefix.len() && i < 8 {
        head |= (prefix[i] as u64) << (8 * i);
        i += 1;
    }
    let head_mask = if i == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * i)) - 1
    };
    Format {
        prefix,
        head,
        head_mask,
        body,
        min,
        max,
    }
}

/// Longest body read: formats without a fixed length stop counting here,
/// which keeps a string of repeated prefixes linear.
const CAP: usize = 256;

const FORMATS: &[Format] = &[
    // AWS access key ids (long-term and temporary).
    f(b"AKIA", Body::Upper, 16, 16),
    f(b"ASIA", Body::Upper, 16, 16),
    // Google API keys and OAuth client secrets.
    f(b"AIza", Body::Word, 35, 35),
    // age encryption secret keys (bech32, upper case).
    f(b"AGE-SECRET-KEY-1", Body::Upper, 58, 58),
    f(b"GOCSPX-", Body::Word, 28, 28),
    // Twilio API key SID.
    f(b"SK", Body::Hex, 32, 32),
    // DigitalOcean personal access tokens.
    f(b"dop_v1_", Body::Hex, 64, 64),
    f(b"doo_v1_", Body::Hex, 64, 64),
    // Discord webhook URLs (the path holds the token).
    f(b"discord.com/api/webhooks/", Body::Path, 30, CAP),
    f(b"discordapp.com/api/webhooks/", Body::Path, 30, CAP),
    // GitHub tokens: classic, OAuth, user-to-server, server-to-server,
    // refresh; fine-grained personal access tokens.
    f(b"ghp_", Body::Alnum, 36, 36),
    f(b"gho_", Body::Alnum, 36, 36),
    f(b"ghu_", Body::Alnum, 36, 36),
    f(b"ghs_", Body::Alnum, 36, 36),
    f(b"ghr_", Body::Alnum, 36, 36),
    f(b"github_pat_", Body::Word, 70, 100),
    // GitLab personal, deploy and runner tokens.
    f(b"glpat-", Body::Word, 20, CAP),
    f(b"gldt-", Body::Word, 20, CAP),
    f(b"glrt-", Body::Word, 20, CAP),
    // Hugging Face.
    f(b"hf_", Body::Alnum, 30, 40),
    // Slack incoming webhooks.
    f(b"hooks.slack.com/services/", Body::Path, 20, CAP),
    // npm access tokens.
    f(b"npm_", Body::Alnum, 36, 36),
    // PyPI upload tokens (a macaroon whose first bytes name pypi.org).
    f(b"pypi-AgEIcHlwaS5vcmc", Body::Word, 30, CAP),
    // Stripe restricted keys.
    f(b"rk_live_", Body::Alnum, 20, CAP),
    f(b"rk_test_", Body::Alnum, 20, CAP),
    // Shopify access tokens and shared secrets.
    f(b"shpat_", Body::Hex, 32, 32),
    f(b"shpca_", Body::Hex, 32, 32),
    f(b"shppa_", Body::Hex, 32, 32),
    f(b"shpss_", Body::Hex, 32, 32),
    // Stripe secret keys.
    f(b"sk_live_", Body::Alnum, 20, CAP),
    f(b"sk_test_", Body::Alnum, 20, CAP),
    // Anthropic, OpenAI project/service/admin keys, then legacy OpenAI keys.
    f(b"sk-ant-", Body::Word, 20, CAP),
    f(b"sk-proj-", Body::Word, 20, CAP),
    f(b"sk-svcacct-", Body::Word, 20, CAP),
    f(b"sk-admin-", Body::Word, 20, CAP),
    f(b"sk-", Body::Alnum, 48, 48),
    // Square access tokens and application secrets.
    f(b"sq0atp-", Body::Word, 22, CAP),
    f(b"sq0csp-", Body::Word, 40, CAP),
    // Stripe webhook signing secrets.
    f(b"whsec_", Body::Alnum, 24, CAP),
    // Slack bot, user, app-level, refresh and configuration tokens.
    f(b"xapp-", Body::Word, 20, CAP),
    f(b"xoxa-", Body::Word, 20, CAP),
    f(b"xoxb-", Body::Word, 20, CAP),
    f(b"xoxe-", Body::Word, 20, CAP),
    f(b"xoxp-", Body::Word, 20, CAP),
    f(b"xoxr-", Body::Word, 20, CAP),
    f(b"xoxs-", Body::Word, 20, CAP),
    // Google OAuth access tokens.
    f(b"ya29.", Body::Word, 20, CAP),
];

/// For each first byte, the range of [`FORMATS`] starting with it (the
/// table is grouped by first byte), so a word costs one lookup.
static BY_FIRST: [(u8, u8); 256] = {
    let mut t = [(0u8, 0u8); 256];
    let mut i = 0;
    while i < FORMATS.len() {
        let c = FORMATS[i].prefix[0] as usize;
        if t[c].1 == 0 {
            t[c].0 = i as u8;
        }
        t[c].1 = i as u8 + 1;
        i += 1;
    }
    t
};

/// Where the last body run of each [`Body`] class read ended. Bodies of
/// the `-`/`_` classes run over the next words (`AIza-AIza-AIza…`): each
/// word would read the same run again to its end, quadratic in the string.
/// A run is maximal, so any position inside one that was read ends where
/// it ended.
#[derive(Default)]
pub(super) struct Bodies {
    /// (start, end) of the last run read per class.
    runs: [(usize, usize); 5],
}

impl Bodies {
    fn end(&mut self, b: &[u8], body: Body, from: usize) -> usize {
        let (s, e) = self.runs[body as usize];
        if s <= from && from < e {
            return e;
        }
        let end = from
            + b[from..]
                .iter()
                .position(|&c| !body.accepts(c))
                .unwrap_or(b.len() - from);
        self.runs[body as usize] = (from, end);
        end
    }
}

/// Whether a credential starts at `b[start]` (a word start).
pub(super) fn at(b: &[u8], start: usize, bodies: &mut Bodies) -> bool {
    let (lo, hi) = BY_FIRST[b[start] as usize];
    if lo == hi {
        return false;
    }
    let rest = &b[start..];
    let head = match rest.first_chunk::<8>() {
        Some(h) => u64::from_le_bytes(*h),
        None => {
            let mut lane = [0u8; 8];
            lane[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(lane)
        }
    };
    FORMATS[lo as usize..hi as usize].iter().any(|fmt| {
        // The head holds whole prefixes of up to eight bytes (a zero byte
        // past the string's end never matches a prefix byte).
        if head & fmt.head_mask != fmt.head
            || (fmt.prefix.len() > 8 && !rest.starts_with(fmt.prefix))
        {
            return false;
        }
        let from = start + fmt.prefix.len();
        let run = bodies.end(b, fmt.body, from) - from;
        // A fixed-length body must end there (not run on into more word).
        let ends = run <= fmt.max
            && b.get(from + run)
                .is_none_or(|&c| !c.is_ascii_alphanumeric());
        (fmt.min..=fmt.max).contains(&run) && (ends || fmt.max == CAP)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> bool {
        let b = s.as_bytes();
        (0..b.len())
            .filter(|&i| i == 0 || !b[i - 1].is_ascii_alphanumeric())
            .any(|i| at(b, i, &mut Bodies::default()))
    }

    #[test]
    fn table_is_grouped_by_first_byte() {
        for (c, &(lo, hi)) in BY_FIRST.iter().enumerate() {
            let expected = FORMATS.iter().filter(|f| f.prefix[0] as usize == c).count();
            assert_eq!(usize::from(hi - lo), expected, "{}", c as u8 as char);
            let group = &FORMATS[usize::from(lo)..usize::from(hi)];
            assert!(group.iter().all(|f| f.prefix[0] as usize == c));
        }
    }

    #[test]
    fn formats() {
        for s in [
            "AKIAIOSFODNN7EXAMPLE",
            "key ASIAY34FZKBOKMUTVV7A in env",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "glpat-xxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(found(s), "{s}");
        }
        for s in [
            "AKIAIOSFODNN7EXAMPLEX",
            "pk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "ghp_short",
            "sk-learn",
            "skip_ahead",
            "key-value store",
        ] {
            assert!(!found(s), "{s}");
        }
    }
}
