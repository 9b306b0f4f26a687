//! Encoders the corpus generator needs, written from the specifications
//! (the scanner only decodes): base58 and base58check, bech32/bech32m,
//! Luhn check digits, base64url, hex, and SHA-256 (`sha256.rs`, pinned by its
//! FIPS vectors; independent of the `sha2` crate the scanner uses).

pub use super::sha256::sha256;

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

pub fn base58(data: &[u8]) -> String {
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    // Little-endian base-58 digits of the number.
    let mut digits: Vec<u8> = Vec::new();
    for &byte in &data[zeros..] {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut s = "1".repeat(zeros);
    s.extend(digits.iter().rev().map(|&d| B58[usize::from(d)] as char));
    s
}

pub fn base58check(payload: &[u8]) -> String {
    let mut v = payload.to_vec();
    v.extend_from_slice(&super::sha256::checksum(payload));
    base58(&v)
}

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk = 1u32;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Regroups bits (8 → 5 for bech32 data parts), padding the tail.
pub fn to_5bit(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in data {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// BIP-173 (`m == false`) or BIP-350 (`m == true`) encoding of 5-bit values.
pub fn bech32(hrp: &str, data5: &[u8], m: bool) -> String {
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    values.extend_from_slice(data5);
    values.extend_from_slice(&[0; 6]);
    let constant = if m { 0x2bc830a3 } else { 1 };
    let pm = polymod(&values) ^ constant;
    let mut s = format!("{hrp}1");
    for &v in data5 {
        s.push(BECH32[usize::from(v)] as char);
    }
    for i in 0..6 {
        s.push(BECH32[((pm >> (5 * (5 - i))) & 31) as usize] as char);
    }
    s
}

/// The Luhn check digit that completes `body`.
pub fn luhn_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = u32::from(d);
            if k % 2 == 0 {
                let y = d * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

pub fn luhn_ok(d: &[u8]) -> bool {
    luhn_digit(&d[..d.len() - 1]) == d[d.len() - 1]
}

pub fn base64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

pub fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn encoders_match_known_vectors() {
    // Bitcoin wiki: hash160 of the 1BvBMSEY… address.
    let payload = [
        0x00, 0x77, 0xbf, 0xf2, 0x0c, 0x60, 0xe5, 0x22, 0xdf, 0xaa, 0x33, 0x50, 0xc3, 0x9b, 0x03,
        0x0a, 0x5d, 0x00, 0x4e, 0x83, 0x9a,
    ];
    assert_eq!(base58check(&payload), "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
    // BIP-173 P2WPKH example.
    let program = [
        0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3, 0xa3,
        0x23, 0xf1, 0x43, 0x3b, 0xd6,
    ];
    let mut data = vec![0u8];
    data.extend(to_5bit(&program));
    assert_eq!(
        bech32("bc", &data, false),
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    );
    assert!(luhn_ok(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    assert_eq!(base64url(b"{\"a\""), "eyJhIg");
}
