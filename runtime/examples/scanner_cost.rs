//! Runs one stage of the secret scanner on one bench case a given number of
//! times, for counting instructions per call with callgrind
//! (load-independent, unlike wall time on a shared machine). The stage is
//! `prescreen` (what `track()` runs; the default), `full` (the full scan the
//! sender runs on strings the prescreen could not clear) or `record` (what the
//! sender runs for a flagged record: the 5-field event of the benchmarks with
//! the case as its string, read back from its JSON and scanned):
//!
//! ```sh
//! cargo build --release -p candor --example scanner_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/scanner_cost worst/email 0 full     # baseline
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/scanner_cost worst/email 10000 full
//! # instructions per call = (Ir of the second - Ir of the first) / 10000
//! ```
//!
//! `runtime/benches/scanner_callgrind.sh` does this for every case and both
//! stages. Case names are those of the bench groups `scanner/…` and
//! `scanner_full/…` (`long/<unit>_<len>` for the long strings).

use std::hint::black_box;

use candor::__private::scanner::encoded::{scan_tail, Verdict};
use candor::__private::scanner::{prescreen, scan, Prescreen};

#[path = "../benches/support/scanner_cases.rs"]
mod scanner_cases;
use scanner_cases::{long_string, LONG_UNITS, SCANNER_CASES};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(name), Some(iters)) = (args.next(), args.next()) else {
        eprintln!("usage: scanner_cost <case|--list> <iterations> [prescreen|full]");
        std::process::exit(2);
    };
    let mut cases: Vec<(String, String)> = SCANNER_CASES
        .iter()
        .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
        .collect();
    for len in [1024usize, 32 * 1024] {
        for (unit_name, unit) in LONG_UNITS {
            cases.push((format!("long/{unit_name}_{len}"), long_string(unit, len)));
        }
    }
    if name == "--list" {
        for (n, s) in &cases {
            println!("{n}\t{}", s.len());
        }
        return;
    }
    let iters: u64 = iters.parse().expect("iterations: a number");
    let (_, s) = cases
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let expect = name.starts_with("secret/");
    let mut found = 0u64;
    match args.next().as_deref() {
        None | Some("prescreen") => {
            for _ in 0..iters {
                found += u64::from(prescreen(black_box(s)) == Prescreen::Check);
            }
            // A secret is never cleared; a harmless string may need the full scan.
            if expect {
                assert_eq!(found, iters, "{name}");
            }
        }
        Some("full") => {
            for _ in 0..iters {
                found += u64::from(scan(black_box(s)).is_some());
            }
            assert_eq!(found, if expect { iters } else { 0 }, "{name}");
        }
        Some("record") => {
            let mut record = br#""name":"wallet.swap_completed","version":1,"time":"2026-11-30T04:00Z","fields":{"network":"ethereum","asset":"usdc","amount_usd":100,"duration_ms":1830,"error_code":""#.to_vec();
            for c in s.chars() {
                match c {
                    '"' => record.extend_from_slice(b"\\\""),
                    '\\' => record.extend_from_slice(b"\\\\"),
                    '\n' => record.extend_from_slice(b"\\n"),
                    c if (c as u32) < 0x20 => {
                        record.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
                    }
                    c => record.extend_from_slice(c.to_string().as_bytes()),
                }
            }
            record.extend_from_slice(b"\"}}");
            for _ in 0..iters {
                found += u64::from(matches!(scan_tail(black_box(&record)), Verdict::Secret(_)));
            }
            assert_eq!(found, if expect { iters } else { 0 }, "{name}");
        }
        Some(other) => panic!("no stage {other}"),
    }
}
