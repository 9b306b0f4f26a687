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
//! [`SecretKind`] is reported. The rules and their trade-offs are listed in
//! `docs/runtime.md` (Secret scanner).

mod api_keys;
mod base58;
mod bech32;
mod card;
mod checksum;
mod email;
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

/// Returns the first kind of secret found in `s`, if any.
pub fn scan(s: &str) -> Option<SecretKind> {
    let b = s.as_bytes();
    // Nothing below can match fewer than 6 bytes (shortest: "a@b.cd").
    if b.len() < 6 {
        return None;
    }
    let sum = Summary::of(b);
    if sum.at_or_percent() && sum.dots() >= 1 && email::scan(b) {
        return Some(SecretKind::Email);
    }
    if sum.dots() >= 3 && sum.digits() >= 4 && ipv4::scan(b) {
        return Some(SecretKind::Ipv4);
    }
    if sum.colons() >= 2 && ipv6::scan(b) {
        return Some(SecretKind::Ipv6);
    }
    // Base64url of a JSON header has a long alphanumeric run.
    if sum.dots() >= 2 && sum.long_run && jwt::scan(b) {
        return Some(SecretKind::Jwt);
    }
    if sum.card_possible() && card::scan(b, sum.card_starts()) {
        return Some(SecretKind::CardNumber);
    }
    // Keys and addresses have a run of 14+ alphanumerics; credentials of
    // 20+ bytes may be split by `_` or `-`.
    if sum.long_run || (b.len() >= 20 && sum.dash_or_underscore()) {
        if let Some(kind) = words::scan(b, &sum) {
            return Some(kind);
        }
    }
    if sum.dashes() >= 10 && sum.upper() && pem::scan(b) {
        return Some(SecretKind::PrivateKey);
    }
    // Twelve words need 36 letters; only then are they counted.
    if sum.letters() >= 3 * seed::MIN_WORDS && {
        let words = sum.words();
        words >= seed::MIN_WORDS && seed::scan(b, words, sum.letter_runs(b))
    } {
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
