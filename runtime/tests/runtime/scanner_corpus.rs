//! The secret scanner against a corpus of positives and of harmless
//! technical strings, and its effect on tracking.

mod encode;
mod figures;
mod harmless;
pub(crate) mod positives;
mod properties;
mod rng;
mod sha256;

use std::time::Duration;

use candor::__private::scanner::scan;
use candor::SecretKind;
use candor::{Client, Consent, Outcome};

use crate::support::{fast_config, http, Failed, Server};

const POSITIVES: &[(&str, SecretKind)] = &[
    ("alice@example.com", SecretKind::Email),
    ("contact alice.smith+tag@mail.example.co.uk please", SecretKind::Email),
    ("mailto:bob_99@sub.domain.org.", SecretKind::Email),
    ("192.168.1.20", SecretKind::Ipv4),
    ("connect to 10.0.0.1:8080 failed", SecretKind::Ipv4),
    ("peer=8.8.8.8", SecretKind::Ipv4),
    ("2001:db8::ff00:42:8329", SecretKind::Ipv6),
    ("from [2001:db8:85a3::8a2e:370:7334]:443", SecretKind::Ipv6),
    ("fe80::1ff:fe23:4567:890a%eth0", SecretKind::Ipv6),
    ("2001:0db8:0000:0000:0000:ff00:0042:8329", SecretKind::Ipv6),
    ("to 0x52908400098527886E0F7030069857D2E4169EE7", SecretKind::EthereumAddress),
    ("0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae", SecretKind::EthereumAddress),
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", SecretKind::BitcoinAddress),
    ("pay 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy now", SecretKind::BitcoinAddress),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", SecretKind::BitcoinAddress),
    ("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", SecretKind::BitcoinAddress),
    ("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", SecretKind::BitcoinAddress),
    ("legal winner thank year wave sausage worth useful legal winner thank yellow", SecretKind::SeedPhrase),
    (
        "seed: abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
        SecretKind::SeedPhrase,
    ),
    ("letter advice cage absurd amount doctor acoustic avoid letter advice cage above", SecretKind::SeedPhrase),
    ("e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262", SecretKind::PrivateKey),
    ("key=0xE9873D79C6D87DC0FB6A5778633389F4453213303DA61F20BD67FC233AA33262", SecretKind::PrivateKey),
    (
        "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        SecretKind::Jwt,
    ),
    ("4111 1111 1111 1111", SecretKind::CardNumber),
    ("card 5500-0000-0000-0004 declined", SecretKind::CardNumber),
    ("378282246310005", SecretKind::CardNumber),
    ("pan=4012888888881881;", SecretKind::CardNumber),
];

const HARMLESS: &[&str] = &[
    "",
    "ok",
    "wallet.transaction_signed",
    "ERR_CONNECTION_REFUSED",
    "timeout after 30000 ms",
    "semver 1.2.3",
    "v1.2.3.4",
    "127.0.0",
    "Version 10.0.19045",
    "std::io::Error",
    "core::fmt::Debug",
    "a::b",
    "12:34:56",
    "2026-11-22T12:34:56Z",
    "10:30",
    "3f786850e387550fdab836ed7e6dc881de23001b",
    "123e4567-e89b-12d3-a456-426614174000",
    "@Override",
    "npm install lodash@4.17.21",
    "@scope/pkg@1.2.3",
    "0x7fff5fbff8c8",
    "0xdeadbeef",
    "The quick brown fox jumps over the lazy dog",
    "please open the settings page and select a new theme before you continue",
    "SGVsbG8gV29ybGQ=",
    "/usr/lib/x86_64-linux-gnu/libssl.so.3",
    "https://docs.rs/candor/0.1.0/candor/",
    "C:\\Program Files\\App\\app.exe",
    "en-US",
    "Europe/Berlin",
    "ratio 3.14159 and 1e-9",
    "10000000000000000",
    "build 20261122 step 42 of 100",
    "eyJ-not-a-token",
    "swap_tokens",
    "1st place",
    "user_id_count",
    "bc1 is a prefix",
    "apple banana cherry",
];

#[test]
fn positives_are_caught() {
    for (s, kind) in POSITIVES {
        assert_eq!(scan(s), Some(*kind), "expected {kind:?} in {s:?}");
    }
}

#[test]
fn harmless_technical_strings_pass() {
    for s in HARMLESS {
        assert_eq!(scan(s), None, "false positive on {s:?}");
    }
}

#[test]
fn a_secret_drops_the_event_and_is_counted_never_sent() {
    let server = Server::start();
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.set_consent(Consent::Diagnostics, true);
    for (s, _) in POSITIVES {
        // `track()` only prescreens: the secret is found on the sender thread.
        assert_eq!(
            client.track(&Failed {
                reason: format!("failed: {s}")
            }),
            Outcome::Queued,
            "{s:?}"
        );
    }
    assert_eq!(
        client.track(&Failed {
            reason: "failed: disk full".into()
        }),
        Outcome::Queued
    );
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let c = client.counters();
    assert_eq!(c.dropped.secret_deferred, POSITIVES.len() as u64);
    assert_eq!(c.dropped.secret, 0);
    assert_eq!((c.tracked, c.sent), (POSITIVES.len() as u64 + 1, 1));
    assert_eq!(
        c.tracked + c.loaded,
        c.sent + c.dropped.after_acceptance() + c.pending
    );
    let body = server
        .requests()
        .iter()
        .map(|r| r.json.to_string())
        .collect::<String>();
    assert!(!body.contains("example.com") && !body.contains("4111"));
    client.shutdown(Duration::from_secs(1));
}

/// The corpus generator's SHA-256 (independent of the `sha2` crate the
/// scanner uses) against FIPS 180-4.
mod sha256_fips {
    use super::sha256::sha256;

    fn hex(d: &[u8]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn fips_180_vectors() {
        // FIPS 180-4 / NIST CAVS examples, and the padding edge lengths.
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            )),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&sha256(&million)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        // 55, 56 and 64 bytes: one block, two blocks of padding, exact block.
        assert_eq!(
            hex(&sha256(&[b'a'; 55])),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 56])),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 64])),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        );
    }
}
