//! Caller-thread cost of `track()`: consent off (the one-relaxed-load path)
//! and consent on for a 5-field event (encode + scan + enqueue). The sender
//! runs with a transport that discards, so only candor's own work is in the
//! numbers; the network path is measured by `runtime/examples/loopback_throughput.rs`.
//!
//! In the same run, the secret scanner alone (`scanner/…`): harmless strings
//! up to the policy's 64 bytes, the worst harmless string per detector (one
//! that passes the detector's gate and makes it work to the end), secrets of
//! every kind, and long strings for the cost per byte.

use std::hint::black_box;
use std::time::{Duration, Instant};

use candor::__private::scanner::scan;
use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, Event, Outcome};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Discards every document (answers 200).
struct Discard;

impl Transport for Discard {
    fn send(&mut self, r: &Request<'_>) -> Result<Response, TransportError> {
        black_box(r.json.len());
        Ok(Response {
            status: 200,
            retry_after: None,
        })
    }
}

#[path = "support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

const EVENT: SwapCompleted = SwapCompleted::SAMPLE;

fn client(consent: bool) -> Client {
    let mut cfg = Config::new("bench", "1.0.0");
    cfg.queue_max_events = 20_000;
    cfg.queue_max_bytes = 16 << 20;
    let c = Client::start(cfg, Discard).expect("client starts");
    c.set_consent(Consent::Usage, consent);
    c
}

fn benches(c: &mut Criterion) {
    let off = client(false);
    c.bench_function("track/consent_off/client", |b| {
        b.iter(|| off.track(black_box(&EVENT)))
    });
    // No global client installed: `Event::track` is the static-mask check.
    c.bench_function("track/consent_off/global", |b| {
        b.iter(|| black_box(EVENT).track())
    });

    let on = client(true);
    c.bench_function("track/consent_on_5_fields", |b| {
        b.iter_custom(|iters| {
            // Track in chunks that fit the queue, flushing (untimed) between
            // chunks, so every timed call takes the real enqueue path.
            let mut timed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(10_000);
                let start = Instant::now();
                let mut queued = 0u64;
                for _ in 0..n {
                    queued += u64::from(on.track(black_box(&EVENT)) == Outcome::Queued);
                }
                timed += start.elapsed();
                assert_eq!(queued, n, "every timed call must be enqueued");
                on.flush(Duration::from_secs(30));
                left -= n;
            }
            timed
        })
    });
    on.shutdown(Duration::from_secs(5));
}

/// (name, string): strings of at most 64 bytes.
const SCANNER_CASES: &[(&str, &str)] = &[
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
    (
        "worst/ipv4",
        "1.2.3.4.5 127.0.0.1 0.0.0.0 v1.2.3.4 version 1.2.3.4 255.255.0.0",
    ),
    (
        "worst/ipv6",
        "std::io::Error a::b::c 12:34:56 ::1 [::]:9735 ff02::1 00:1a:2b:3",
    ),
    (
        "worst/card",
        "4111 1111 1111 1112 5500 0000 0000 0005 3782 8224 6310 0061 1234",
    ),
    (
        "worst/seed",
        "abandon ability able about above absent absorb abstract absurd z",
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
    (
        "worst/bech32",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx npub1zzzzzzzzzzzzzzzz",
    ),
    (
        "worst/api_key",
        "sk_live_short ghp_short AKIA_lower xoxb-1 AIza glpat- sk-ant- hf",
    ),
    (
        "worst/hex",
        "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa3326x",
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

fn scanner_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("scanner");
    for (name, s) in SCANNER_CASES {
        assert!(s.len() <= 64, "{name} is {} bytes", s.len());
        // The cases must be what their names say.
        assert_eq!(scan(s).is_some(), name.starts_with("secret/"), "{name}");
        g.bench_function(*name, |b| b.iter(|| scan(black_box(s))));
    }
    // Cost per byte on long strings (events may be 32 KiB).
    let unit = "peer=127.0.0.1 height=842000 version 1.2.3.4 fee_rate=12 ok; ";
    for len in [1024usize, 32 * 1024] {
        let long: String = unit.repeat(len / unit.len() + 1)[..len].to_string();
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(format!("long/log_lines_{len}"), |b| {
            b.iter(|| scan(black_box(&long)))
        });
        // Patterns that would make a careless detector quadratic: many
        // markers, each of which could start a match that runs to the end.
        for (name, unit) in [
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
            ("base58", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 "),
        ] {
            let long: String = unit.repeat(len / unit.len() + 1)[..len].to_string();
            g.bench_function(format!("long/{name}_{len}"), |b| {
                b.iter(|| scan(black_box(&long)))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = track;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(4));
    targets = benches, scanner_benches
}
criterion_main!(track);
