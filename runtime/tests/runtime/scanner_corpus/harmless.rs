//! Generated harmless strings of the kind wallets, nodes and self-hosted
//! tools send: unit and file names, stack frames, package specs, bind
//! addresses, versions, ids of every common shape, hashes, amounts, paths,
//! log tokens and UI text. None of them identifies a person or holds a
//! secret; each category is named so its false-positive rate is printed.

use super::encode::{base58, base64url, bech32, hex, to_5bit};
use super::rng::{Rng, ALNUM, HEX, LOWER, LOWER_ALNUM, WORD};

pub struct Sample {
    pub category: &'static str,
    pub text: String,
}

struct Out(Vec<Sample>);

impl Out {
    fn gen(
        &mut self,
        rng: &mut Rng,
        category: &'static str,
        n: usize,
        mut make: impl FnMut(&mut Rng) -> String,
    ) {
        for _ in 0..n {
            let text = make(rng);
            self.0.push(Sample { category, text });
        }
    }

    fn fixed(&mut self, category: &'static str, list: &[&str]) {
        for s in list {
            self.0.push(Sample {
                category,
                text: (*s).to_string(),
            });
        }
    }
}

pub fn all(seed: u64) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let mut out = Out(Vec::new());
    let r = &mut rng;
    let o = &mut out;
    units_assets_frames(r, o);
    packages_and_binds(r, o);
    versions(r, o);
    ids(r, o);
    numbers(r, o);
    text(r, o);
    out.0
}

fn units_assets_frames(r: &mut Rng, o: &mut Out) {
    o.gen(r, "systemd unit names", 150, |r| {
        format!(
            "{}{}@{}.{}",
            r.pick(&["", "failed to start ", "restarting "]),
            r.pick(&[
                "getty",
                "tor",
                "openvpn-client",
                "wg-quick",
                "systemd-fsck",
                "user",
                "serial-getty",
                "lnd",
                "bitcoind",
                "electrs",
                "postgresql",
                "container-getty",
                "autovt",
                "user-runtime-dir"
            ]),
            r.pick(&[
                "default", "tty1", "1000", "wg0", "mainnet", "client", "ttyS0", "dev-sda1",
                "15-main", "home", "testnet"
            ]),
            r.pick(&[
                "service",
                "socket",
                "target",
                "timer",
                "mount",
                "path",
                "slice",
                "scope",
                "device",
                "swap",
                "automount"
            ])
        )
    });
    o.gen(r, "image assets with scale suffix", 120, |r| {
        format!(
            "{}{}@{}x.{}",
            r.pick(&[
                "icon",
                "logo",
                "splash",
                "avatar-placeholder",
                "btn_send",
                "ic_wallet",
                "AppIcon-60",
                "qr-frame"
            ]),
            r.pick(&["", "-dark", "_light", "-256"]),
            r.pick(&["1", "2", "3", "4", "1.5"]),
            r.pick(&["png", "jpg", "jpeg", "webp", "svg", "gif", "avif", "ico", "zip"])
        )
    });
    o.gen(r, "JS stack frames", 150, |r| {
        let func = *r.pick(&[
            "render",
            "onClick",
            "fn",
            "handleSubmit",
            "promiseReactionJob",
            "dispatch",
            "anonymous",
            "useEffect",
            "signTx",
        ]);
        let line = r.range(1, 5000);
        let col = r.range(1, 200);
        match r.below(4) {
            0 => format!(
                "{func}@{}.{}:{line}:{col}",
                r.pick(&["main", "app", "vendor", "index", "wallet", "chunk-3f2a"]),
                r.pick(&["js", "mjs", "cjs", "ts", "tsx", "jsx", "vue"])
            ),
            1 => format!(
                "{func}@https://app.example.com/static/js/main.{}.js:{line}:{col}",
                r.string(HEX, 8)
            ),
            2 => format!(
                "{func}@webpack-internal:///./src/{}.tsx:{line}:{col}",
                r.pick(&["App", "Send", "Receive"])
            ),
            _ => format!(
                "{func}@{}.{}:{line}:{col}",
                r.pick(&["main", "lib", "handler", "app"]),
                r.pick(&["py", "rs", "sh", "pl", "md", "zip", "java"])
            ),
        }
    });
}

fn packages_and_binds(r: &mut Rng, o: &mut Out) {
    o.gen(r, "package specs", 150, |r| {
        let v = format!("{}.{}.{}", r.below(20), r.below(40), r.below(30));
        match r.below(5) {
            0 => format!(
                "{}@{v}",
                r.pick(&[
                    "lodash",
                    "react",
                    "bitcoinjs-lib",
                    "ethers",
                    "viem",
                    "serde"
                ])
            ),
            1 => format!(
                "@{}/{}@^{v}",
                r.pick(&["scope", "noble", "tanstack", "types"]),
                r.pick(&["curves", "hashes", "query", "node"])
            ),
            2 => format!(
                "github.com/{}/{}@v{v}",
                r.string(LOWER, 6),
                r.string(LOWER, 5)
            ),
            3 => format!("node@{}", r.range(14, 22)),
            _ => format!(
                "docker.io/library/{}@sha256:{}",
                r.pick(&["node", "postgres", "nginx"]),
                hex(&r.bytes(32))
            ),
        }
    });
    o.gen(r, "loopback/unspecified/multicast binds", 150, |r| {
        let port = *r.pick(&[
            8332u32, 8333, 9735, 10009, 50001, 3000, 8080, 9050, 5432, 28332,
        ]);
        match r.below(10) {
            0 => format!("127.0.0.1:{port}"),
            1 => format!("0.0.0.0:{port}"),
            2 => format!("[::]:{port}"),
            3 => format!("[::1]:{port}"),
            4 => format!("listening on 0.0.0.0:{port}"),
            5 => format!("rpcbind=127.0.0.{}", r.range(1, 254)),
            6 => format!("localhost:{port}"),
            7 => "netmask 255.255.255.0".to_string(),
            8 => format!("mdns 224.0.0.251:5353 ff02::fb port {port}"),
            _ => "::ffff:127.0.0.1".to_string(),
        }
    });
}

fn versions(r: &mut Rng, o: &mut Out) {
    o.gen(r, "four-part versions in context", 200, |r| {
        let v = format!(
            "{}.{}.{}.{}",
            r.range(1, 30),
            r.below(20),
            r.below(50),
            r.below(200)
        );
        match r.below(12) {
            0 => format!("version {v}"),
            1 => format!("app_version={v}"),
            2 => format!("appVersion: {v}"),
            3 => format!(
                "Chrome/{}.0.{}.{}",
                r.range(90, 130),
                r.range(4000, 7000),
                r.range(10, 200)
            ),
            4 => format!("Electron/{v}"),
            5 => format!("v{v}"),
            6 => format!("{v}-beta.{}", r.below(5)),
            7 => format!("firmware {v}"),
            8 => format!("build {v}"),
            9 => format!(
                "upgrade from {v} to {}.{}.{}.{}",
                r.range(1, 30),
                r.below(20),
                r.below(50),
                r.below(200)
            ),
            10 => format!("Version {v} (build {})", r.range(100, 9999)),
            _ => format!("{v}+git.{}", r.string(HEX, 7)),
        }
    });
    o.gen(r, "semver and toolchain versions", 100, |r| {
        match r.below(5) {
            0 => format!("{}.{}.{}", r.below(30), r.below(100), r.below(100)),
            1 => format!(
                "{}.{}.{}-rc.{}+build.{}",
                r.below(3),
                r.below(20),
                r.below(9),
                r.below(5),
                r.below(999)
            ),
            2 => format!(
                "rustc 1.{}.0 ({} 2026-0{}-1{})",
                r.range(60, 99),
                r.string(HEX, 9),
                r.range(1, 9),
                r.below(10)
            ),
            3 => format!("Bitcoin Core v{}.{}.0", r.range(22, 29), r.below(3)),
            _ => format!("/Satoshi:{}.{}.0/", r.range(22, 29), r.below(3)),
        }
    });
}

/// Base62 of 20 bytes, left-padded to 27 characters.
fn ksuid(r: &mut Rng) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n: Vec<u8> = r.bytes(20);
    n[0] = r.range(0x0e, 0x13) as u8; // timestamps of 2021-2026
    let mut digits = Vec::new();
    while n.iter().any(|&b| b != 0) {
        let mut rem = 0u32;
        for b in &mut n {
            let v = (rem << 8) | u32::from(*b);
            *b = (v / 62) as u8;
            rem = v % 62;
        }
        digits.push(A[rem as usize]);
    }
    while digits.len() < 27 {
        digits.push(b'0');
    }
    digits.iter().rev().map(|&c| c as char).collect()
}

fn uuid(r: &mut Rng, version: u8) -> String {
    let mut b = r.bytes(16);
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn ids(r: &mut Rng, o: &mut Out) {
    o.gen(
        r,
        "snowflake ids (Twitter, Discord, Mastodon, Instagram)",
        300,
        |r| {
            let ms = r.range(1_420_070_400_000, 1_790_000_000_000);
            let id: u64 = match r.below(4) {
                0 => ((ms - 1_288_834_974_657) << 22) | r.below(1 << 22),
                1 => ((ms - 1_420_070_400_000) << 22) | r.below(1 << 22),
                2 => (ms << 16) | r.below(1 << 16),
                _ => ((ms - 1_314_220_021_721) << 23) | r.below(1 << 23),
            };
            match r.below(3) {
                0 => id.to_string(),
                1 => format!("message_id={id}"),
                _ => format!("<@{id}>"),
            }
        },
    );
    o.gen(r, "KSUIDs", 200, ksuid);
    o.gen(r, "UUIDs, ULIDs, nanoids, ObjectIds", 200, |r| {
        match r.below(5) {
            0 => uuid(r, 4),
            1 => uuid(r, 7),
            2 => format!("01{}", r.string(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", 24)),
            3 => r.string(WORD, 21),
            _ => r.string(HEX, 24),
        }
    });
    o.gen(r, "git commits and labelled digests", 200, |r| {
        match r.below(6) {
            0 => r.string(HEX, 40),
            1 => format!("commit {}", r.string_between(HEX, 7, 12)),
            2 => format!("sha256:{}", hex(&r.bytes(32))),
            3 => format!("image@sha256:{}", hex(&r.bytes(32))),
            4 => format!("container {}", hex(&r.bytes(32))),
            _ => format!("blake3={}", hex(&r.bytes(32))),
        }
    });
    o.gen(r, "block hashes", 100, |r| {
        format!(
            "{}{}",
            "0".repeat(r.range(16, 20) as usize),
            r.string(HEX, 64)
        )
        .chars()
        .take(64)
        .collect()
    });
    o.gen(
        r,
        "content and peer ids (IPFS, libp2p, onion, nostr note)",
        200,
        |r| match r.below(5) {
            0 => {
                let mut mh = vec![0x12, 0x20];
                mh.extend(r.bytes(32));
                base58(&mh)
            }
            1 => {
                let mut id = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
                id.extend(r.bytes(32));
                format!("/ip4/127.0.0.1/tcp/4001/p2p/{}", base58(&id))
            }
            2 => format!("b{}", r.string(b"abcdefghijklmnopqrstuvwxyz234567", 58)),
            3 => format!(
                "{}.onion",
                r.string(b"abcdefghijklmnopqrstuvwxyz234567", 56)
            ),
            _ => bech32("note", &to_5bit(&r.bytes(32)), false),
        },
    );
    o.gen(r, "publishable keys and public tokens", 60, |r| {
        match r.below(3) {
            0 => format!("pk_live_{}", r.string(ALNUM, 24)),
            1 => format!("pk_test_{}", r.string(ALNUM, 24)),
            _ => format!("client_id={}", r.string(LOWER_ALNUM, 20)),
        }
    });
}

fn numbers(r: &mut Rng, o: &mut Out) {
    o.gen(r, "wei and satoshi amounts", 200, |r| {
        // UI amounts carry at most 6 decimals of the coin.
        let units = r.range(1, 99_999_999);
        let wei = u128::from(units) * 10u128.pow(12);
        match r.below(5) {
            0 => wei.to_string(),
            1 => format!("value={wei}"),
            2 => format!("{wei} wei"),
            3 => format!("{} sats", r.range(1, 2_100_000_000_000_000)),
            _ => format!("gasPrice={}", r.range(1_000_000_000, 500_000_000_000)),
        }
    });
    o.gen(r, "full-precision token balances (wei)", 200, |r| {
        let wei = u128::from(r.range(1, 50)) * 10u128.pow(17) + u128::from(r.u64() % 10u64.pow(17));
        format!("balance={wei}")
    });
    o.gen(r, "random 64-bit ids", 200, |r| (r.u64() >> 1).to_string());
    o.gen(r, "timestamps, heights, sizes", 200, |r| match r.below(6) {
        0 => r.range(1_500_000_000_000, 1_800_000_000_000).to_string(),
        1 => format!(
            "{}",
            r.range(1_500_000_000_000_000_000, 1_800_000_000_000_000_000)
        ),
        2 => format!("block {}", r.range(1, 950_000)),
        3 => format!("{} bytes", r.range(1, 99_999_999_999)),
        4 => format!(
            "2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            r.range(1, 12),
            r.range(1, 28),
            r.below(24),
            r.below(60),
            r.below(60),
            r.below(1000)
        ),
        _ => format!("took {}.{} ms", r.below(10_000), r.below(1000)),
    });
}

const VOCAB_BIP39: &[&str] = &[
    "backup", "seed", "open", "wallet", "send", "receive", "amount", "network", "fee", "address",
    "balance", "select", "account", "confirm", "cancel", "error", "connect", "device", "update",
    "settings", "security", "enable", "option", "history", "detail", "copy", "paste", "scan",
    "code", "level", "limit", "total", "again", "later", "please", "before", "after", "during",
    "try", "check", "your", "new", "old", "fresh",
];

/// Function words and product terms that are not in the BIP-39 list.
const VOCAB_OTHER: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "and",
    "is",
    "in",
    "for",
    "on",
    "with",
    "be",
    "this",
    "that",
    "we",
    "an",
    "it",
    "or",
    "was",
    "are",
    "not",
    "transaction",
    "sync",
    "node",
    "peer",
    "block",
    "has",
    "been",
];

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut w = Vec::new();
    for _ in 0..words {
        // About two words in five of running English are function words
        // (articles, prepositions, auxiliaries), none of them in the list.
        if r.chance(0.4) {
            w.push(*r.pick(VOCAB_OTHER));
        } else {
            w.push(*r.pick(VOCAB_BIP39));
        }
    }
    w.join(" ")
}

fn text(r: &mut Rng, o: &mut Out) {
    o.gen(r, "UI text and messages", 200, |r| {
        let n = r.range(4, 16) as usize;
        let s = sentence(r, n);
        match r.below(3) {
            0 => s,
            1 => {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
            _ => format!("{s}."),
        }
    });
    o.gen(r, "paths and URLs", 150, |r| match r.below(6) {
        0 => format!(
            "/home/{}/.bitcoin/blocks/blk{:05}.dat",
            r.pick(&["node", "btc", "umbrel"]),
            r.below(4000)
        ),
        1 => format!(
            "C:\\Users\\Public\\AppData\\Roaming\\{}\\wallet.dat",
            r.pick(&["Electrum", "Sparrow", "Wasabi"])
        ),
        2 => format!(
            "/var/lib/{}/{}.sqlite",
            r.pick(&["lnd", "cln", "fedimint"]),
            r.string(LOWER, 6)
        ),
        3 => format!(
            "https://{}.example.org/api/v{}/{}?page={}",
            r.pick(&["api", "mempool", "docs"]),
            r.range(1, 3),
            r.string(LOWER, 6),
            r.below(50)
        ),
        4 => format!(
            "./target/release/build/{}-{}/out",
            r.string(LOWER, 6),
            r.string(HEX, 16)
        ),
        _ => format!(
            "s3://bucket/{}/{}.json.gz",
            r.string(LOWER, 5),
            r.range(1, 999_999)
        ),
    });
    o.gen(r, "log tokens", 150, |r| match r.below(6) {
        0 => format!(
            "ERR_{}",
            r.pick(&[
                "CONNECTION_REFUSED",
                "TIMED_OUT",
                "NAME_NOT_RESOLVED",
                "CERT_DATE_INVALID"
            ])
        ),
        1 => format!("rpc_error_code=-{}", r.range(1, 32)),
        2 => format!(
            "peer={} disconnected: {}",
            r.below(200),
            r.pick(&["timeout", "misbehaving", "eof"])
        ),
        3 => format!(
            "UpdateTip: new best={} height={}",
            format_args!("{}{}", "0".repeat(19), r.string(HEX, 45)),
            r.range(800_000, 950_000)
        ),
        4 => format!(
            "thread '{}' panicked at src/{}.rs:{}:{}",
            r.pick(&["main", "tokio-runtime-worker"]),
            r.string(LOWER, 6),
            r.range(1, 900),
            r.range(1, 80)
        ),
        _ => format!(
            "arn:aws:iam::{}:role/{}",
            r.range(100_000_000_000, 999_999_999_999),
            r.string(LOWER, 8)
        ),
    });
    o.fixed("locales, zones, agents and odds and ends", &[
        "en_US.UTF-8", "de-CH", "pt-BR", "Europe/Zurich", "America/Argentina/Buenos_Aires", "UTC+05:30",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "okhttp/4.12.0", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240105.004)",
        "#ff00aa", "rgba(12, 34, 56, 0.5)", "SGVsbG8gV29ybGQ=", "std::io::Error", "core::fmt::Debug",
        "port 8333", "tcp/9735", "udp:51820", "00:1a:2b:3c:4d:5e", "12:34:56.789", "P1DT2H3M4S",
        "m/84'/0'/0'/0/5", "m/44'/60'/0'/0/0", "OP_RETURN", "OP_CHECKSIG", "sat/vB", "1.5 BTC", "0.00012345 BTC",
        "The quick brown fox jumps over the lazy dog", "Lorem ipsum dolor sit amet, consectetur adipiscing elit",
        "x-request-id: 7f3c2a1b", "Content-Type: application/json; charset=utf-8", "cache-control: max-age=3600",
        "user@localhost", "root@host.local", "git@github.com:candor/candor.git", "admin@router.lan",
        "@channel", "@here", "@Override", "@scope/pkg", "npm install lodash@4.17.21",
        "base64:" , "eyJ-not-a-token", "Bearer", "token=REDACTED", "password=********",
        "-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
    ]);
    o.gen(r, "random base58 tokens without checksum", 200, |r| {
        let n = r.range(22, 35) as usize;
        r.string(
            b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
            n,
        )
    });
    o.fixed(
        "prose",
        &[
            "We could not reach the server. Check your connection and try again in a few minutes.",
            "Your backup is stored on this device only; nobody else can restore it for you.",
            "To receive a payment, share the address shown above with the person who pays you.",
            "The fee is paid to the network and depends on how busy it is at the moment.",
            "Write the recovery words on paper and keep them somewhere safe and dry.",
            "A new version is available. It will be installed the next time you open the app.",
            "This transaction was replaced by another one with a higher fee.",
            "Select the account you want to use and enter the amount to send.",
            "If the problem continues, please contact support with the error code below.",
            "Open settings, choose privacy, then turn off the option that shares usage data.",
            "The node is still syncing; balances may be out of date until it catches up.",
            "Camera access is needed to scan a QR code. You can allow it in system settings.",
            "Lightning channel closed by peer after the funding transaction expired.",
            "Tap the button below to copy the invoice, then paste it into the other wallet.",
            "Hardware wallet not detected: unlock the device and open the Bitcoin app.",
            "Price data is provided by a third party and may be delayed by several minutes.",
            "Please enter a valid amount between the minimum and the maximum shown.",
            "Exchange rate updated. Review the new total before you confirm the swap.",
            "Your session has expired for security reasons; sign in again to continue.",
            "Sync paused while on cellular data. Connect to Wi-Fi or change this in settings.",
        ],
    );
    o.gen(r, "short random identifiers", 200, |r| match r.below(4) {
        0 => format!(
            "{}-{}-{}",
            r.pick(&["app", "api", "worker", "lnd"]),
            r.string(HEX, 9),
            r.string(LOWER_ALNUM, 5)
        ),
        1 => format!("{}_{}", r.string(LOWER, 8), r.below(1000)),
        2 => base64url(&r.bytes_between(6, 30)),
        _ => format!("req_{}", r.string(ALNUM, 14)),
    });
}
