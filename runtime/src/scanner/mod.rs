//! Defence-in-depth secret scanner run over every string value before an
//! event is queued.
//!
//! Schemas already forbid free text where it is not needed; this catches the
//! mistakes that slip through (a wallet address pasted into a "label", an
//! e-mail in an error message). One pass over the bytes builds a
//! summary of the character classes present (`summary.rs`); each
//! detector (one small module per kind) runs only if the summary says it
//! could match, and checks real structure — a TLD list, address ranges,
//! card issuer ranges, base58check and bech32 checksums, the BIP-39 list —
//! rather than shape alone. Matches never expose the value: only the
//! [`SecretKind`] is reported.
//!
//! Two stages, so that `track()` pays a bounded cost: [`prescreen`] (the
//! summary and every detector's O(1) gate) runs on the caller and answers
//! *clean* or *check*; [`scan`] (the detectors themselves) runs on the
//! sender thread for records that need it (`encoded.rs` reads their string
//! values back from the encoded JSON), before they get an id. The rules and their trade-offs are listed in
//! `docs/runtime.md` (Secret scanner).

mod api_keys;
mod base58;
mod bech32;
mod card;
mod checksum;
mod email;
pub mod encoded;
mod ipv4;
mod ipv6;
mod jwt;
mod pem;
mod seed;
mod summary;
mod tld;
mod words;

use summary::Summary;

/// The kind of personal or secret data the scanner recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// `local@domain.tld` with a real top-level domain, also URL-encoded
    /// (`local%40domain.tld`).
    Email,
    /// Dotted-quad IPv4 address outside the never-personal ranges.
    Ipv4,
    /// IPv6 address with at least three groups, outside the never-personal
    /// ranges.
    Ipv6,
    /// `0x` followed by 40 hex digits.
    EthereumAddress,
    /// Base58check (P2PKH/P2SH) or bech32/bech32m (`bc1`, `tb1`) address.
    BitcoinAddress,
    /// Twelve or more consecutive BIP-39 English words.
    SeedPhrase,
    /// 64 hex digits (optionally `0x`-prefixed) not labelled as a digest, or
    /// a PEM private-key block.
    PrivateKey,
    /// `eyJ….eyJ….…` JSON Web Token.
    Jwt,
    /// Card number: known issuer prefix and length, valid Luhn digit.
    CardNumber,
    /// Wallet Import Format private key (base58check, version 0x80/0xEF).
    WifPrivateKey,
    /// BIP-32 extended private key (`xprv`, `tprv`, `yprv`, `zprv`, …).
    ExtendedPrivateKey,
    /// BIP-32 extended public key (`xpub`, `tpub`, `ypub`, `zpub`, …): it
    /// reveals every address of the account.
    ExtendedPublicKey,
    /// Nostr secret key (`nsec1…`, `ncryptsec1…`).
    NostrSecretKey,
    /// Nostr public identity (`npub1…`, `nprofile1…`).
    NostrPublicKey,
    /// Base58 word decoding to exactly 64 bytes: a Solana-style keypair.
    Base58SecretKey,
    /// Credential of a hosted service (Stripe, AWS, GitHub, Slack, Google…).
    ApiKey,
}

impl SecretKind {
    /// Stable name used in counters and error messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            SecretKind::Email => "email",
            SecretKind::Ipv4 => "ipv4",
            SecretKind::Ipv6 => "ipv6",
            SecretKind::EthereumAddress => "ethereum_address",
            SecretKind::BitcoinAddress => "bitcoin_address",
            SecretKind::SeedPhrase => "seed_phrase",
            SecretKind::PrivateKey => "private_key",
            SecretKind::Jwt => "jwt",
            SecretKind::CardNumber => "card_number",
            SecretKind::WifPrivateKey => "wif_private_key",
            SecretKind::ExtendedPrivateKey => "extended_private_key",
            SecretKind::ExtendedPublicKey => "extended_public_key",
            SecretKind::NostrSecretKey => "nostr_secret_key",
            SecretKind::NostrPublicKey => "nostr_public_key",
            SecretKind::Base58SecretKey => "base58_secret_key",
            SecretKind::ApiKey => "api_key",
        }
    }
}

/// What the caller-side stage decided about a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prescreen {
    /// No detector's gate opens: [`scan`] would find nothing, so the string
    /// needs no further look.
    Clean,
    /// Some detector's gate opens: only the full [`scan`] can tell, and it
    /// runs later, on the sender thread, before the record leaves memory.
    Check,
}

/// Which detectors could match, from the summary alone: one O(1) test per
/// detector on counts and bit maps, no loop over candidates. [`scan`] runs a
/// detector only when its gate is open and [`prescreen`] answers
/// [`Prescreen::Clean`] only when every gate is closed, so a clean prescreen
/// implies that `scan` finds nothing, by construction.
struct Gates {
    email: bool,
    ipv4: bool,
    ipv6: bool,
    jwt: bool,
    card: bool,
    words: bool,
    pem: bool,
    seed: bool,
}

impl Gates {
    #[inline(always)]
    fn of(b: &[u8], sum: &Summary) -> Gates {
        Gates {
            email: sum.at_or_percent() && sum.dots() >= 1,
            ipv4: sum.dots() >= 3 && sum.digits() >= 4,
            ipv6: sum.colons() >= 2,
            // Base64url of a JSON header has a long alphanumeric run.
            jwt: sum.dots() >= 2 && sum.long_run,
            card: sum.card_possible(),
            // Keys and addresses have a run of 14+ alphanumerics; credentials of
            // 20+ bytes may be split by `_` or `-`.
            words: sum.long_run || (b.len() >= 20 && sum.dash_or_underscore()),
            pem: sum.dashes() >= 10 && sum.upper(),
            // Twelve words need 36 letters; only then are they counted (a
            // popcount over the letter map for strings of at most 64 bytes).
            seed: sum.letters() >= 3 * seed::MIN_WORDS && sum.words() >= seed::MIN_WORDS,
        }
    }

    #[inline(always)]
    fn any(&self) -> bool {
        self.email
            || self.ipv4
            || self.ipv6
            || self.jwt
            || self.card
            || self.words
            || self.pem
            || self.seed
    }
}

/// Nothing below can match fewer than 6 bytes (shortest: "a@b.cd").
const MIN_LEN: usize = 6;

/// The caller-side stage: the one-pass summary and every detector's gate,
/// nothing that loops over candidates, hashes or looks words up. Answers
/// [`Prescreen::Clean`] only when [`scan`] is certain to find nothing.
pub fn prescreen(s: &str) -> Prescreen {
    let b = s.as_bytes();
    if b.len() < MIN_LEN {
        return Prescreen::Clean;
    }
    let sum = Summary::of(b);
    if Gates::of(b, &sum).any() {
        Prescreen::Check
    } else {
        Prescreen::Clean
    }
}

/// Returns the first kind of secret found in `s`, if any.
pub fn scan(s: &str) -> Option<SecretKind> {
    let b = s.as_bytes();
    if b.len() < MIN_LEN {
        return None;
    }
    let sum = Summary::of(b);
    let g = Gates::of(b, &sum);
    if g.email && email::scan(b) {
        return Some(SecretKind::Email);
    }
    if g.ipv4 && ipv4::scan(b) {
        return Some(SecretKind::Ipv4);
    }
    if g.ipv6 && ipv6::scan(b) {
        return Some(SecretKind::Ipv6);
    }
    if g.jwt && jwt::scan(b) {
        return Some(SecretKind::Jwt);
    }
    if g.card && card::scan(b, sum.card_starts()) {
        return Some(SecretKind::CardNumber);
    }
    if g.words {
        if let Some(kind) = words::scan(b, &sum) {
            return Some(kind);
        }
    }
    if g.pem && pem::scan(b) {
        return Some(SecretKind::PrivateKey);
    }
    if g.seed && seed::scan(b, sum.words(), sum.letter_runs(b)) {
        return Some(SecretKind::SeedPhrase);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_skipped() {
        assert_eq!(scan("a@b.c"), None);
        assert_eq!(scan(""), None);
    }

    #[test]
    fn names_are_unique() {
        let all = [
            SecretKind::Email,
            SecretKind::Ipv4,
            SecretKind::Ipv6,
            SecretKind::EthereumAddress,
            SecretKind::BitcoinAddress,
            SecretKind::SeedPhrase,
            SecretKind::PrivateKey,
            SecretKind::Jwt,
            SecretKind::CardNumber,
            SecretKind::WifPrivateKey,
            SecretKind::ExtendedPrivateKey,
            SecretKind::ExtendedPublicKey,
            SecretKind::NostrSecretKey,
            SecretKind::NostrPublicKey,
            SecretKind::Base58SecretKey,
            SecretKind::ApiKey,
        ];
        let mut names: Vec<_> = all.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
