//! Generated secrets, every one with a real checksum where its format has
//! one, in plain and hard forms, each wrapped in a few neutral contexts.

use std::net::{Ipv4Addr, Ipv6Addr};

use candor::SecretKind;

use super::encode::{base58, base58check, base64url, bech32, hex, luhn_digit, sha256, to_5bit};
use super::rng::{Rng, ALNUM, HEX, LOWER, LOWER_ALNUM, UPPER_ALNUM, WORD};

pub struct Case {
    pub kind: SecretKind,
    pub form: &'static str,
    pub text: String,
}

/// Neutral surroundings a value may appear in (`{}` is the value).
const CONTEXTS: &[&str] = &[
    "{}",
    "error: {}",
    "value={}",
    "\"{}\"",
    "[{}]",
    "({})",
    "got {} here",
    "{} failed",
    "label: {}",
    "id={};",
    "<{}>",
    "{}\n",
    "field '{}' rejected",
];

/// Cases per kind; split evenly between the kind's forms.
const PER_KIND: usize = 300;

fn wrap(rng: &mut Rng, v: &str) -> String {
    rng.pick(CONTEXTS).replace("{}", v)
}

struct Out {
    cases: Vec<Case>,
    per_form: usize,
}

impl Out {
    /// Starts a kind with `forms` forms.
    fn kind(&mut self, forms: usize) {
        self.per_form = PER_KIND.div_ceil(forms);
    }

    fn add(&mut self, kind: SecretKind, form: &'static str, text: String) {
        self.cases.push(Case { kind, form, text });
    }

    /// `per_form` cases of one form, each value in a random context.
    fn form(
        &mut self,
        rng: &mut Rng,
        kind: SecretKind,
        form: &'static str,
        mut make: impl FnMut(&mut Rng) -> String,
    ) {
        for _ in 0..self.per_form {
            let v = make(rng);
            let text = wrap(rng, &v);
            self.add(kind, form, text);
        }
    }
}

pub fn all(seed: u64) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut out = Out {
        cases: Vec::new(),
        per_form: 0,
    };
    emails(&mut rng, &mut out);
    ipv4(&mut rng, &mut out);
    ipv6(&mut rng, &mut out);
    ethereum(&mut rng, &mut out);
    bitcoin(&mut rng, &mut out);
    seeds(&mut rng, &mut out);
    private_keys(&mut rng, &mut out);
    jwts(&mut rng, &mut out);
    cards(&mut rng, &mut out);
    wallet_keys(&mut rng, &mut out);
    nostr(&mut rng, &mut out);
    api_keys(&mut rng, &mut out);
    out.cases
}

// ---------------------------------------------------------------- e-mail

const COMMON_TLDS: &[&str] = &[
    "com", "org", "net", "io", "dev", "app", "co.uk", "com.br", "de", "fr", "ch", "nl", "xyz",
    "info", "me", "ai", "co", "us", "ca", "com.au", "co.jp", "edu", "gov", "tech", "online",
    "email", "cloud", "eu", "pl", "ru", "in", "es", "it", "se", "no", "fi", "xn--p1ai", "museum",
];

const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "oscar", "peggy", "trent", "victor", "walter", "maria", "jose", "li", "wei", "fatima", "olga",
];

fn iana_tlds() -> Vec<&'static str> {
    include_str!("../../../src/data/iana_tlds.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
}

fn email(rng: &mut Rng, tlds: &[&str]) -> String {
    let first = *rng.pick(FIRST);
    let local = match rng.below(5) {
        0 => first.to_string(),
        1 => format!("{first}.{}", rng.string(LOWER, 6)),
        2 => format!("{first}_{}{}", rng.string(LOWER, 4), rng.below(100)),
        3 => format!("{first}+{}", rng.string(LOWER, 5)),
        _ => rng.string(LOWER_ALNUM, 10),
    };
    // Mostly common TLDs; one in four from the whole IANA list.
    let tld = if rng.chance(0.25) {
        (*rng.pick(tlds)).to_string()
    } else {
        (*rng.pick(COMMON_TLDS)).to_string()
    };
    let host = rng.string_between(LOWER, 3, 10);
    let sub = if rng.chance(0.3) {
        format!("{}.", rng.pick(&["mail", "eu", "corp", "login"]))
    } else {
        String::new()
    };
    format!("{local}@{sub}{host}.{tld}")
}

fn emails(rng: &mut Rng, out: &mut Out) {
    let tlds = iana_tlds();
    let k = SecretKind::Email;
    out.kind(7);
    out.form(rng, k, "plain", |r| email(r, &tlds));
    out.form(rng, k, "upper case", |r| email(r, &tlds).to_uppercase());
    out.form(rng, k, "url-encoded %40", |r| {
        email(r, &tlds).replace('@', "%40").replace('+', "%2B")
    });
    out.form(rng, k, "in a query string", |r| {
        format!("/signup?email={}&ok=1", email(r, &tlds).replace('@', "%40"))
    });
    out.form(rng, k, "mailto link", |r| {
        format!("mailto:{}", email(r, &tlds))
    });
    out.form(rng, k, "followed by ': reason'", |r| {
        format!("{}: mailbox full", email(r, &tlds))
    });
    out.form(rng, k, "display name", |r| {
        format!("Alice Smith <{}>", email(r, &tlds))
    });
}

// ---------------------------------------------------------------- IPv4

fn public_v4(rng: &mut Rng) -> Ipv4Addr {
    loop {
        let a = rng.range(1, 223) as u8;
        if a != 127 && a != 10 {
            return Ipv4Addr::new(a, rng.u64() as u8, rng.u64() as u8, rng.range(1, 254) as u8);
        }
    }
}

fn private_v4(rng: &mut Rng) -> Ipv4Addr {
    let (x, y) = (rng.u64() as u8, rng.range(1, 254) as u8);
    match rng.below(5) {
        0 => Ipv4Addr::new(10, rng.u64() as u8, x, y),
        1 => Ipv4Addr::new(172, rng.range(16, 31) as u8, x, y),
        2 => Ipv4Addr::new(192, 168, x, y),
        3 => Ipv4Addr::new(100, rng.range(64, 127) as u8, x, y),
        _ => Ipv4Addr::new(169, 254, x, y),
    }
}

fn ipv4(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::Ipv4;
    out.kind(7);
    out.form(rng, k, "public", |r| public_v4(r).to_string());
    out.form(rng, k, "private/CGNAT/link-local", |r| {
        private_v4(r).to_string()
    });
    out.form(rng, k, "with port", |r| {
        format!("{}:{}", public_v4(r), r.range(1, 65535))
    });
    out.form(rng, k, "in a URL", |r| {
        format!("http://{}/rpc", private_v4(r))
    });
    out.form(rng, k, "key=value", |r| format!("peer={}", public_v4(r)));
    out.form(rng, k, "end of sentence", |r| {
        format!("connected to {}.", public_v4(r))
    });
    out.form(rng, k, "documentation range", |r| {
        let base = *r.pick(&[[192u8, 0, 2], [198, 51, 100], [203, 0, 113]]);
        Ipv4Addr::new(base[0], base[1], base[2], r.range(1, 254) as u8).to_string()
    });
}

// ---------------------------------------------------------------- IPv6

fn v6(rng: &mut Rng) -> Ipv6Addr {
    let mut g = [0u16; 8];
    for x in &mut g {
        *x = rng.u64() as u16;
    }
    g[0] = match rng.below(4) {
        0 => 0x2000 | (g[0] & 0x1fff),
        1 => 0xfd00 | (g[0] & 0xff),
        2 => 0xfe80,
        _ => 0x2001,
    };
    if g[0] == 0xfe80 {
        g[1] = 0;
        g[2] = 0;
        g[3] = 0;
    }
    if g[0] == 0x2001 {
        g[1] = 0x0db8;
    }
    // Runs of zero groups, so that `::` compression appears.
    if rng.chance(0.5) {
        let at = rng.range(2, 5) as usize;
        for x in &mut g[at..at + 2] {
            *x = 0;
        }
    }
    Ipv6Addr::from(g)
}

fn full_v6(a: Ipv6Addr) -> String {
    a.segments()
        .iter()
        .map(|s| format!("{s:04x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn ipv6(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::Ipv6;
    out.kind(6);
    out.form(rng, k, "compressed", |r| v6(r).to_string());
    out.form(rng, k, "full form", |r| full_v6(v6(r)));
    out.form(rng, k, "upper case", |r| v6(r).to_string().to_uppercase());
    out.form(rng, k, "bracketed with port", |r| {
        format!("[{}]:{}", v6(r), r.range(1, 65535))
    });
    out.form(rng, k, "right after label:", |r| {
        format!(
            "{}:{}",
            r.pick(&["peer", "addr", "ip", "remote", "from", "host"]),
            v6(r)
        )
    });
    out.form(rng, k, "with zone id", |r| {
        format!("{}%{}", v6(r), r.pick(&["eth0", "wlan0", "en0", "3"]))
    });
}

// ---------------------------------------------------------------- Ethereum

fn ethereum(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::EthereumAddress;
    out.kind(3);
    out.form(rng, k, "lower case", |r| format!("0x{}", r.string(HEX, 40)));
    out.form(rng, k, "mixed case", |r| {
        let h: String = r
            .string(HEX, 40)
            .chars()
            .map(|c| {
                if c.is_ascii_alphabetic() && r.chance(0.5) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        format!("0x{h}")
    });
    out.form(rng, k, "in a sentence", |r| {
        format!("sent 1.5 ETH to 0x{} ok", r.string(HEX, 40))
    });
}

// ---------------------------------------------------------------- Bitcoin

fn hash_payload(rng: &mut Rng, version: u8) -> String {
    let mut p = vec![version];
    p.extend(rng.bytes(20));
    base58check(&p)
}

fn segwit(rng: &mut Rng, hrp: &str, version: u8, len: usize) -> String {
    let mut data = vec![version];
    data.extend(to_5bit(&rng.bytes(len)));
    bech32(hrp, &data, version > 0)
}

fn bitcoin(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::BitcoinAddress;
    out.kind(8);
    out.form(rng, k, "P2PKH (1…)", |r| hash_payload(r, 0x00));
    out.form(rng, k, "P2SH (3…)", |r| hash_payload(r, 0x05));
    out.form(rng, k, "testnet base58 (m/n/2)", |r| {
        let v = *r.pick(&[0x6fu8, 0xc4]);
        hash_payload(r, v)
    });
    out.form(rng, k, "P2WPKH bc1q", |r| segwit(r, "bc", 0, 20));
    out.form(rng, k, "P2WSH bc1q (32 bytes)", |r| segwit(r, "bc", 0, 32));
    out.form(rng, k, "taproot bc1p (bech32m)", |r| segwit(r, "bc", 1, 32));
    out.form(rng, k, "testnet tb1", |r| segwit(r, "tb", 0, 20));
    out.form(rng, k, "upper-case bech32", |r| {
        segwit(r, "bc", 0, 20).to_uppercase()
    });
}

// ---------------------------------------------------------------- BIP-39

fn wordlist() -> Vec<&'static str> {
    include_str!("../../../src/data/bip39_english.txt")
        .split_ascii_whitespace()
        .collect()
}

/// A mnemonic of `words` words with a valid BIP-39 checksum.
fn mnemonic(rng: &mut Rng, list: &[&'static str], words: usize) -> Vec<&'static str> {
    let ent_bits = words * 11 * 32 / 33;
    let entropy = rng.bytes(ent_bits / 8);
    let check = sha256(&entropy)[0];
    let mut bits: Vec<bool> = entropy
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
        .collect();
    bits.extend((0..ent_bits / 32).map(|i| (check >> (7 - i)) & 1 == 1));
    bits.chunks(11)
        .map(|c| list[c.iter().fold(0usize, |a, &b| a * 2 + usize::from(b))])
        .collect()
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn seeds(rng: &mut Rng, out: &mut Out) {
    let list = wordlist();
    let k = SecretKind::SeedPhrase;
    out.kind(10);
    let n = |r: &mut Rng| *r.pick(&[12usize, 12, 12, 15, 18, 21, 24]);
    out.form(rng, k, "space-separated", |r| {
        let w = n(r);
        mnemonic(r, &list, w).join(" ")
    });
    out.form(rng, k, "capitalised first word", |r| {
        let w = n(r);
        let m = mnemonic(r, &list, w);
        format!("{} {}", capitalise(m[0]), m[1..].join(" "))
    });
    out.form(rng, k, "title case", |r| {
        let w = n(r);
        mnemonic(r, &list, w)
            .iter()
            .map(|w| capitalise(w))
            .collect::<Vec<_>>()
            .join(" ")
    });
    out.form(rng, k, "upper case", |r| {
        let w = n(r);
        mnemonic(r, &list, w).join(" ").to_uppercase()
    });
    out.form(rng, k, "comma-separated", |r| {
        let w = n(r);
        let sep = *r.pick(&[",", ", "]);
        mnemonic(r, &list, w).join(sep)
    });
    out.form(rng, k, "numbered 1. word", |r| {
        let w = n(r);
        mnemonic(r, &list, w)
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}. {w}", i + 1))
            .collect::<Vec<_>>()
            .join(" ")
    });
    out.form(rng, k, "numbered 1) word, one per line", |r| {
        let w = n(r);
        mnemonic(r, &list, w)
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}) {w}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    });
    out.form(rng, k, "newline-separated", |r| {
        let w = n(r);
        mnemonic(r, &list, w).join("\n")
    });
    out.form(rng, k, "hyphen-separated", |r| {
        let w = n(r);
        mnemonic(r, &list, w).join("-")
    });
    out.form(rng, k, "four-letter stamps", |r| {
        let w = n(r);
        mnemonic(r, &list, w)
            .iter()
            .map(|w| &w[..w.len().min(4)])
            .collect::<Vec<_>>()
            .join(" ")
    });
}

// ---------------------------------------------------------------- raw keys

fn private_keys(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::PrivateKey;
    out.kind(4);
    out.form(rng, k, "64 hex", |r| hex(&r.bytes(32)));
    out.form(rng, k, "0x + 64 hex", |r| {
        format!("0x{}", hex(&r.bytes(32)))
    });
    out.form(rng, k, "upper-case hex", |r| {
        hex(&r.bytes(32)).to_uppercase()
    });
    out.form(rng, k, "PEM header", |r| {
        format!(
            "-----BEGIN {}PRIVATE KEY-----\nMII{}",
            r.pick(&["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "DSA "]),
            r.string(ALNUM, 20)
        )
    });
}

// ---------------------------------------------------------------- JWT

fn jwts(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::Jwt;
    let token = |r: &mut Rng| {
        let alg = *r.pick(&["HS256", "RS256", "ES256", "EdDSA"]);
        let header = format!("{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}");
        let payload = format!(
            "{{\"sub\":\"{}\",\"iat\":{},\"exp\":{}}}",
            r.string(LOWER_ALNUM, 8),
            r.range(1_600_000_000, 1_800_000_000),
            r.range(1_800_000_000, 1_900_000_000)
        );
        let sig_len = *r.pick(&[32usize, 64, 256]);
        format!(
            "{}.{}.{}",
            base64url(header.as_bytes()),
            base64url(payload.as_bytes()),
            base64url(&r.bytes(sig_len))
        )
    };
    out.kind(4);
    out.form(rng, k, "signed", token);
    out.form(rng, k, "Bearer header", |r| format!("Bearer {}", token(r)));
    out.form(rng, k, "cookie", |r| {
        format!("Cookie: session={}; theme=dark", token(r))
    });
    out.form(rng, k, "unsigned (alg none)", |r| {
        format!(
            "{}.{}.",
            base64url(b"{\"alg\":\"none\"}"),
            base64url(format!("{{\"sub\":\"{}\"}}", r.string(LOWER, 8)).as_bytes())
        )
    });
}

// ---------------------------------------------------------------- cards

/// (issuer prefix, length) pairs, as the schemes publish them.
const ISSUERS: &[(&str, usize)] = &[
    ("4", 16),
    ("4", 13),
    ("4", 19),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("2720", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("644", 16),
    ("65", 16),
    ("3528", 16),
    ("3589", 16),
    ("300", 14),
    ("36", 14),
    ("38", 16),
    ("62", 16),
    ("62", 19),
    ("5018", 16),
    ("6304", 19),
    ("6759", 16),
    ("2200", 16),
    ("508", 16),
];

fn card_digits(rng: &mut Rng) -> Vec<u8> {
    loop {
        let (prefix, len) = *rng.pick(ISSUERS);
        let mut d: Vec<u8> = prefix.bytes().map(|c| c - b'0').collect();
        while d.len() < len - 1 {
            d.push(rng.below(10) as u8);
        }
        d.push(luhn_digit(&d));
        // A real account number never ends in six zeros; the scanner
        // treats that as an amount.
        if d.iter().rev().take_while(|&&x| x == 0).count() < 6 {
            return d;
        }
    }
}

fn grouped(d: &[u8], sep: &str) -> String {
    let s: String = d.iter().map(|x| (b'0' + x) as char).collect();
    let groups: Vec<usize> = if d.len() == 15 {
        vec![4, 6, 5]
    } else {
        let mut g = vec![4; d.len() / 4];
        if !d.len().is_multiple_of(4) {
            g.push(d.len() % 4);
        }
        g
    };
    let mut out = Vec::new();
    let mut at = 0;
    for g in groups {
        out.push(&s[at..at + g]);
        at += g;
    }
    out.join(sep)
}

fn plain(d: &[u8]) -> String {
    d.iter().map(|x| (b'0' + x) as char).collect()
}

fn cards(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::CardNumber;
    out.kind(7);
    out.form(rng, k, "plain digits", |r| plain(&card_digits(r)));
    out.form(rng, k, "grouped with spaces", |r| {
        grouped(&card_digits(r), " ")
    });
    out.form(rng, k, "grouped with dashes", |r| {
        grouped(&card_digits(r), "-")
    });
    out.form(rng, k, "followed by expiry MM/YY", |r| {
        format!(
            "{} {:02}/{}",
            grouped(&card_digits(r), " "),
            r.range(1, 12),
            r.range(25, 33)
        )
    });
    out.form(rng, k, "followed by expiry and CVV", |r| {
        format!(
            "{} {:02}{} {}",
            grouped(&card_digits(r), " "),
            r.range(1, 12),
            r.range(25, 33),
            r.range(100, 9999)
        )
    });
    out.form(rng, k, "plain then CVV", |r| {
        format!("{} {}", plain(&card_digits(r)), r.range(100, 999))
    });
    out.form(rng, k, "dashes then expiry", |r| {
        format!(
            "{}-{:02}-{}",
            grouped(&card_digits(r), "-"),
            r.range(1, 12),
            r.range(25, 33)
        )
    });
}

// ---------------------------------------------------------------- wallet keys

/// BIP-32 version bytes: (private, public) for x, t, y, z, Y, Z, u, v.
const BIP32_VERSIONS: &[(u32, u32)] = &[
    (0x0488_ade4, 0x0488_b21e),
    (0x0435_8394, 0x0435_87cf),
    (0x049d_7878, 0x049d_7cb2),
    (0x04b2_430c, 0x04b2_4746),
    (0x0295_b005, 0x0295_b43f),
    (0x02aa_7a99, 0x02aa_7ed3),
    (0x044a_4e28, 0x044a_5262),
    (0x045f_18bc, 0x045f_1cf6),
];

fn extended(rng: &mut Rng, private: bool) -> String {
    let (prv, pubv) = *rng.pick(BIP32_VERSIONS);
    let mut p = if private { prv } else { pubv }.to_be_bytes().to_vec();
    p.push(rng.below(6) as u8);
    p.extend(rng.bytes(4));
    p.extend(rng.bytes(4));
    p.extend(rng.bytes(32));
    if private {
        p.push(0);
    } else {
        p.push(*rng.pick(&[2u8, 3]));
    }
    p.extend(rng.bytes(32));
    base58check(&p)
}

fn wif(rng: &mut Rng, version: u8, compressed: bool) -> String {
    let mut p = vec![version];
    p.extend(rng.bytes(32));
    if compressed {
        p.push(1);
    }
    base58check(&p)
}

fn wallet_keys(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::WifPrivateKey;
    out.kind(3);
    out.form(rng, k, "mainnet uncompressed (5…)", |r| {
        wif(r, 0x80, false)
    });
    out.form(rng, k, "mainnet compressed (K/L…)", |r| {
        wif(r, 0x80, true)
    });
    out.form(rng, k, "testnet (9…/c…)", |r| {
        let c = r.chance(0.5);
        wif(r, 0xef, c)
    });
    for (k, private) in [
        (SecretKind::ExtendedPrivateKey, true),
        (SecretKind::ExtendedPublicKey, false),
    ] {
        out.kind(3);
        out.form(rng, k, "x/t/y/z/Y/Z/u/v prefixes", |r| extended(r, private));
        out.form(rng, k, "in an output descriptor", |r| {
            format!(
                "wpkh([{}/84h/0h/0h]{}/0/*)",
                hex(&r.bytes(4)),
                extended(r, private)
            )
        });
        out.form(rng, k, "key: value", |r| {
            format!(
                "{}: {}",
                if private { "xprv" } else { "xpub" },
                extended(r, private)
            )
        });
    }
    let k = SecretKind::Base58SecretKey;
    out.kind(2);
    out.form(rng, k, "64-byte keypair in base58", |r| {
        base58(&r.bytes(64))
    });
    out.form(rng, k, "64-byte keypair, key= prefix", |r| {
        format!("secretKey={}", base58(&r.bytes(64)))
    });
}

fn nostr(rng: &mut Rng, out: &mut Out) {
    for (k, hrp) in [
        (SecretKind::NostrSecretKey, "nsec"),
        (SecretKind::NostrPublicKey, "npub"),
    ] {
        out.kind(3);
        out.form(rng, k, "bech32", |r| {
            bech32(hrp, &to_5bit(&r.bytes(32)), false)
        });
        out.form(rng, k, "nostr: URI", |r| {
            format!("nostr:{}", bech32(hrp, &to_5bit(&r.bytes(32)), false))
        });
        out.form(rng, k, "upper case", |r| {
            bech32(hrp, &to_5bit(&r.bytes(32)), false).to_uppercase()
        });
    }
}

// ---------------------------------------------------------------- API keys

fn api_keys(rng: &mut Rng, out: &mut Out) {
    let k = SecretKind::ApiKey;
    out.kind(4);
    let key = |r: &mut Rng| -> String {
        match r.below(16) {
            0 => format!("sk_live_{}", r.string_between(ALNUM, 24, 99)),
            1 => format!("rk_live_{}", r.string_between(ALNUM, 24, 99)),
            2 => format!("AKIA{}", r.string(UPPER_ALNUM, 16)),
            3 => format!("ASIA{}", r.string(UPPER_ALNUM, 16)),
            4 => format!(
                "{}_{}",
                r.pick(&["ghp", "gho", "ghu", "ghs", "ghr"]),
                r.string(ALNUM, 36)
            ),
            5 => format!("github_pat_{}_{}", r.string(ALNUM, 22), r.string(ALNUM, 59)),
            6 => format!(
                "{}-{}-{}-{}",
                r.pick(&["xoxb", "xoxp", "xoxa", "xoxr"]),
                r.range(10_000_000_000, 999_999_999_999),
                r.range(1_000_000_000_000, 9_999_999_999_999),
                r.string(ALNUM, 24)
            ),
            7 => format!("AIza{}", r.string(WORD, 35)),
            8 => format!("glpat-{}", r.string(WORD, 20)),
            9 => format!("npm_{}", r.string(ALNUM, 36)),
            10 => format!("sk-proj-{}", r.string_between(WORD, 48, 147)),
            11 => format!("sk-ant-api03-{}", r.string(WORD, 93)),
            12 => format!("whsec_{}", r.string(ALNUM, 32)),
            13 => format!("shpat_{}", r.string(HEX, 32)),
            14 => format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                r.string(UPPER_ALNUM, 8),
                r.string(UPPER_ALNUM, 8),
                r.string(ALNUM, 24)
            ),
            _ => format!("hf_{}", r.string(ALNUM, 34)),
        }
    };
    out.form(rng, k, "bare", key);
    out.form(rng, k, "env assignment", |r| format!("API_KEY={}", key(r)));
    out.form(rng, k, "Authorization header", |r| {
        format!("Authorization: token {}", key(r))
    });
    out.form(rng, k, "in context", key);
}
