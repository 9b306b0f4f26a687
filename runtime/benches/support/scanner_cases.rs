//! The scanner's cost cases, shared by the criterion bench (`track.rs`,
//! group `scanner/…`) and the instruction counter
//! (`examples/scanner_cost.rs`, run under callgrind). Every string is at
//! most 64 bytes (the policy's `max_string_len`); the name says the verdict
//! (`secret/…` is found, everything else passes) and both users assert it.
//!
//! `worst/…` cases are adversarial: each is built to pass every gate of one
//! detector (or of all at once) and make it do the most work it can on 64
//! bytes without matching.

/// (name, string).
pub const SCANNER_CASES: &[(&str, &str)] = &[
    // Harmless, typical.
    ("harmless/identifier", "wallet.transaction_signed"),
    ("harmless/error_code", "ERR_CONNECTION_REFUSED"),
    (
        "harmless/prose_64",
        "Write the recovery words on paper and keep them safe and dry now",
    ),
    (
        "harmless/path_64",
        "/home/node/.bitcoin/blocks/blk01234.dat.tmp/../index/000123.ldb",
    ),
    (
        "harmless/user_agent_64",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0",
    ),
    (
        "harmless/uuid_pair_64",
        "123e4567-e89b-12d3-a456-426614174000 01HZX3K9V8Q2M4N6P7R8S9T0",
    ),
    (
        "harmless/snowflakes_64",
        "1790123456789012345 1790123456789012346 1790123456789012347 17",
    ),
    (
        "harmless/block_hash_64",
        "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054",
    ),
    // Harmless, worst case per detector: passes the gate, no match.
    (
        "worst/email",
        "a@b.c d@e.f g@h.i tor@default.service icon@2x.png fn@main.js:1:2",
    ),
    // Nine candidates, each with two labels and a TLD-shaped last label.
    (
        "worst/email_many_at",
        "a@b.qq a@b.qq a@b.qq a@b.qq a@b.qq a@b.qq a@b.qq a@b.qq a@b.qq x",
    ),
    (
        "worst/email_percent40",
        "a%40b.qq a%40b.qq a%40b.qq a%40b.qq a%40b.qq a%40b.qq a%40b.qq x",
    ),
    (
        "worst/ipv4",
        "1.2.3.4.5 127.0.0.1 0.0.0.0 v1.2.3.4 version 1.2.3.4 255.255.0.0",
    ),
    // Six addresses outside every exempt range, each a version only
    // through a connector and the version before it.
    (
        "worst/ipv4_version_chain",
        "v 1.1.1.1 is 1.1.1.1 is 1.1.1.1 is 1.1.1.1 is 1.1.1.1 is 1.1.1.1",
    ),
    (
        "worst/ipv6",
        "std::io::Error a::b::c 12:34:56 ::1 [::]:9735 ff02::1:2 00:1a:2b",
    ),
    // Six well-formed addresses, all multicast: every one is parsed.
    (
        "worst/ipv6_parsed",
        "ff02::1:2 ff02::1:3 ff02::1:4 ff02::1:5 ff02::1:6 ff02::a:b:c",
    ),
    // Each run is tried whole and after its `label:`.
    (
        "worst/ipv6_labels",
        "x:ff02::1:2 x:ff02::1:2 x:ff02::1:2 x:ff02::1:2 x:ff02::1:2 abc",
    ),
    (
        "worst/card",
        "4111 1111 1111 1112 5500 0000 0000 0005 3782 8224 6310 0061 1234",
    ),
    // Two-digit groups: the most group spans of 12 to 19 digits.
    (
        "worst/card_spans",
        "44 71 87 23 13 74 49 81 24 47 12 70 41 72 07 79 26 63 48 54 99 4",
    ),
    (
        "worst/seed",
        "abandon ability able about above absent absorb abstract absurd z",
    ),
    (
        "worst/seed_short_words",
        "act add age aim air all art ask aunt away baby zzz act add age ",
    ),
    (
        "worst/base58_lookalikes",
        "0ujtsYcgvSTl8PAuAdqWYSMnLOv 2bMv6yWbSbNbNtVZSFgCbXDGyEC8s11kt",
    ),
    // A base58 word of an address's exact size and version, wrong checksum:
    // the one harmless shape that pays for two SHA-256 blocks.
    (
        "worst/base58check",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 and 3J98t1WpEZ73CNmQviecrnyiW",
    ),
    // Two such words (the most 64 bytes can hold): four SHA-256 blocks.
    (
        "worst/base58check_two",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 1111111111111111111111112",
    ),
    // A WIF-sized word with a WIF version byte, wrong checksum.
    (
        "worst/base58check_wif",
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK",
    ),
    (
        "worst/bech32",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx npub1zzzzzzzzzzzzzzzz",
    ),
    // 64 bytes of bech32 data after a known prefix, wrong checksum.
    (
        "worst/bech32_long",
        "nprofile1qpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9x8gf2tvdw0s3jn54k",
    ),
    (
        "worst/api_key",
        "sk_live_short ghp_short AKIA_lower xoxb-1 AIza glpat- sk-ant- hf",
    ),
    // Every word starts a prefix whose body runs on over the next ones.
    (
        "worst/api_key_chain",
        "AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIza-AIz.",
    ),
    (
        "worst/hex",
        "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa3326x",
    ),
    (
        "worst/jwt",
        "eyJhbGciOiJ.eyJzdWIiOiJ eyJhbGciOiJ.eyJzdWIiOiJ eyJhbGciOiJ.eyJ",
    ),
    (
        "worst/pem",
        "-----BEGIN RSA PUBLIC KEY----- -----BEGIN CERTIFICATE-----",
    ),
    // Opens the e-mail, IPv4, IPv6, card and word gates at once.
    (
        "worst/every_gate",
        "a@b.qq 1.2.3.4.5 ::1 4111111111111112 0ujtsYcgvSTl8PAuAdqWYSMnLO",
    ),
    // Secrets (the event is dropped; this is what finding one costs).
    (
        "secret/email",
        "contact alice.smith+tag@mail.example.co.uk please",
    ),
    ("secret/ipv4", "connect to 203.0.113.7:8080 failed"),
    (
        "secret/ipv6",
        "peer:2001:db8:85a3::8a2e:370:7334 disconnected",
    ),
    ("secret/card", "card 4111 1111 1111 1111 12/27 123 declined"),
    (
        "secret/bitcoin_base58",
        "pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now",
    ),
    (
        "secret/bitcoin_bech32",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ),
    (
        "secret/wif",
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
    ),
    (
        "secret/private_key_hex",
        "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262",
    ),
    (
        "secret/nsec",
        "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5",
    ),
    (
        "secret/api_key",
        "token ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    (
        "secret/seed_12_short_words",
        "act add age aim air all art ask aunt away baby bag",
    ),
];

/// Units repeated to long strings (events may hold 32 KiB) to show the cost
/// per byte stays flat: a log line, then patterns that would make a
/// careless detector quadratic (many markers, each of which could start a
/// match that runs to the end).
pub const LONG_UNITS: &[(&str, &str)] = &[
    (
        "log_lines",
        "peer=127.0.0.1 height=842000 version 1.2.3.4 fee_rate=12 ok; ",
    ),
    (
        "bip39_words",
        "abandon ability able about above absent absorb abstract absurd the ",
    ),
    ("percent40", "a%40"),
    ("at_signs", "a@b."),
    ("colons", "1:"),
    ("digit_groups", "4111 "),
    ("dotted", "1.2."),
    ("api_prefixes", "sk_live_"),
    ("api_chain", "AIza-x"),
    ("base58", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 "),
];

/// `unit` repeated and cut to `len` bytes.
pub fn long_string(unit: &str, len: usize) -> String {
    unit.repeat(len / unit.len() + 1)[..len].to_string()
}
