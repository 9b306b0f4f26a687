//! Time-boxed, seeded mutation fuzzing of the loader and the compiler.
//!
//! Seeds are every YAML file in the repository (the example schemas, both corpora, the golden
//! fixtures). Each input takes one to four of them and damages each with a few mutations:
//! flipped bits, inserted control characters, deep nesting (flow brackets, block sequences,
//! indentation ladders), duplicated blocks, truncation, huge scalars, extreme numbers, cut
//! ranges and pieces spliced in from another seed. Every input is compiled in memory; every
//! eighth also goes through the real loader as files in a folder, invalid UTF-8 and all.
//!
//! Properties: nothing panics; nothing hangs (each input has a deadline, far above what it
//! needs: this is a fuzz check, not a benchmark); every diagnostic points inside its file;
//! both renderings work; a registry exists exactly when there are no errors.
//!
//! Settings (environment):
//! - `CANDOR_FUZZ_SECS` — how long to run (default 5; CI runs 90).
//! - `CANDOR_FUZZ_SEED` — the run's seed, decimal or `0x` hex (default: from the clock). It is
//!   printed at the start, and a failure prints the seed and the input's number.
//! - `CANDOR_FUZZ_CASE` — run only the input with this number, to reproduce a failure.
//!
//! Run: `CANDOR_FUZZ_SECS=90 cargo test -p candor-schema --test fuzz_loader -- --nocapture`

use candor_schema::diagnostic::Color;
use candor_schema::source::SourceMap;
use candor_schema::{compile_dir, compile_sources, Compilation, Date, Options, Span};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// SplitMix64: small, fast, and the same sequence on every machine for a given seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

fn seeds() -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(std::fs::read(&p).expect("seed readable"));
            }
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in ["schemas", "compiler/tests/corpus", "compiler/tests/golden"] {
        walk(&repo.join(dir), &mut out);
    }
    assert!(out.len() > 50, "only {} seeds", out.len());
    out
}

const CONTROL: &[&str] = &[
    "\0", "\x01", "\x07", "\x08", "\t", "\r", "\x0b", "\x0c", "\x1b", "\x1b[2J", "\x7f", "\u{85}",
    "\u{9b}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{202e}", "\u{fffe}", "\r\n", "\n",
];

const NUMBERS: &[&str] = &[
    "9007199254740993",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999999999999999999",
    "0x",
    "0xffffffffffffffffffffffffffffffffff",
    "0o777777777777777777777777777777777",
    "1e999",
    "-.inf",
    ".nan",
    "-0",
    "+1",
];

/// Applies one random mutation to `text`; returns its name for the failure report.
fn mutate(rng: &mut Rng, text: &mut Vec<u8>, seeds: &[Vec<u8>]) -> &'static str {
    let at = rng.below(text.len() + 1);
    let insert = |text: &mut Vec<u8>, bytes: &[u8]| {
        text.splice(at..at, bytes.iter().copied());
    };
    match rng.below(11) {
        0 if !text.is_empty() => {
            let i = rng.below(text.len());
            text[i] ^= 1 << rng.below(8);
            "bit flip"
        }
        1 => {
            let c = *rng.pick(CONTROL);
            insert(text, c.as_bytes());
            "control character"
        }
        2 => {
            let depth = 1 + rng.below(3000);
            let (open, close) = *rng.pick(&[("[", "]"), ("{a: ", "}"), ("[{k: ", "}]")]);
            let mut s = open.repeat(depth);
            if rng.chance(2) {
                s.push_str(&close.repeat(depth));
            }
            insert(text, s.as_bytes());
            "deep flow nesting"
        }
        3 => {
            let depth = 1 + rng.below(3000);
            let s = if rng.chance(2) {
                format!("\n{}x\n", "- ".repeat(depth))
            } else {
                (0..depth.min(1500)).fold(String::from("\n"), |mut s, i| {
                    s.push_str(&" ".repeat(i));
                    s.push_str("k:\n");
                    s
                })
            };
            insert(text, s.as_bytes());
            "deep block nesting"
        }
        4 if !text.is_empty() => {
            let from = rng.below(text.len());
            let len = rng.below((text.len() - from).min(4096)) + 1;
            let block = text[from..from + len].to_vec();
            let many = rng.chance(8);
            let times = 1 + rng.below(if many { 2000 } else { 3 });
            let at = rng.below(text.len() + 1);
            text.splice(at..at, block.repeat(times));
            "duplicated block"
        }
        5 => {
            text.truncate(at);
            "truncation"
        }
        6 => {
            let huge = rng.chance(4);
            let len = rng.below(if huge { 2 << 20 } else { 4096 });
            let body = (*rng.pick(&["x", "é", " ", "\\", "'", "\"", "#"])).repeat(len);
            let s = match rng.below(3) {
                0 => body,
                1 => format!("\"{body}\""),
                _ => format!("'{body}'"),
            };
            insert(text, s.as_bytes());
            "huge scalar"
        }
        7 => {
            let n = *rng.pick(NUMBERS);
            insert(text, n.as_bytes());
            "extreme number"
        }
        8 if !text.is_empty() => {
            let from = rng.below(text.len());
            let to = from + rng.below(text.len() - from + 1);
            text.drain(from..to);
            "cut range"
        }
        9 => {
            let other = rng.pick(seeds);
            if !other.is_empty() {
                let from = rng.below(other.len());
                let to = from + rng.below(other.len() - from + 1);
                insert(text, &other[from..to]);
            }
            "splice"
        }
        _ => {
            // A whole line repeated with one more level of indentation each time.
            let line = b"  - key: value\n";
            let times = 1 + rng.below(200);
            let mut s = Vec::new();
            for i in 0..times {
                s.extend(std::iter::repeat_n(b' ', i % 80));
                s.extend_from_slice(line);
            }
            insert(text, &s);
            "indentation ladder"
        }
    }
}

/// One generated input: files (relative path, bytes) and how they were made.
struct Input {
    files: Vec<(String, Vec<u8>)>,
    recipe: Vec<&'static str>,
    through_loader: bool,
}

fn input(seed: u64, case: u64, seeds: &[Vec<u8>]) -> Input {
    let mut rng = Rng(seed ^ case.wrapping_mul(0xd1b5_4a32_d192_ed03));
    let count = if rng.chance(16) {
        9 + rng.below(8) // enough files for several lowering threads
    } else {
        1 + rng.below(4)
    };
    let mut files = Vec::new();
    let mut recipe = Vec::new();
    for n in 0..count {
        let mut text = rng.pick(seeds).clone();
        for _ in 0..1 + rng.below(4) {
            recipe.push(mutate(&mut rng, &mut text, seeds));
        }
        let name = if n == 0 && rng.chance(6) {
            "candor.yaml".to_string()
        } else {
            format!("f{n:02}.yaml")
        };
        files.push((name, text));
    }
    Input {
        files,
        recipe,
        through_loader: rng.chance(8),
    }
}

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    }
}

/// Why `span` is not inside `text`, if it is not (as in `never_panics.rs`).
fn outside(span: Span, text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(line) = (span.start.line as usize)
        .checked_sub(1)
        .and_then(|i| lines.get(i))
    else {
        return Some(format!("line {} of {}", span.start.line, lines.len()));
    };
    let width = line.strip_suffix('\r').unwrap_or(line).chars().count() as u32;
    if span.start.col == 0 || span.start.col > width + 1 {
        return Some(format!(
            "column {} of line {} ({width} characters)",
            span.start.col, span.start.line
        ));
    }
    (span.end < span.start).then(|| format!("ends at {:?}, before it starts", span.end))
}

/// Checks one compilation; `Err` says what is wrong.
fn check(c: &Compilation) -> Result<(), String> {
    for d in &c.diagnostics {
        let spans = std::iter::once(d.span).chain(d.related.as_ref().map(|r| r.0));
        for span in spans {
            if span.start.line == 0 {
                continue;
            }
            let file = c
                .sources
                .try_get(span.file)
                .ok_or_else(|| format!("{} names a file that is not loaded", d.code.as_str()))?;
            if let Some(why) = outside(span, &file.text) {
                return Err(format!(
                    "{} `{}` points outside {}: {why}",
                    d.code.as_str(),
                    d.message,
                    file.relative
                ));
            }
        }
    }
    let _ = c.render(Color::Never);
    let _ = c.render(Color::Always);
    let json: serde_json::Value =
        serde_json::from_str(&c.render_json()).map_err(|e| format!("JSON output: {e}"))?;
    if json["errors"].as_u64() != Some(c.error_count() as u64) {
        return Err("the JSON error count differs".to_string());
    }
    if c.registry.is_some() != (c.error_count() == 0) {
        return Err("a registry exists with errors, or none without".to_string());
    }
    Ok(())
}

fn run(input: &Input, scratch: &Path) -> Result<(), String> {
    let mut sources = SourceMap::default();
    for (name, bytes) in &input.files {
        sources.add_text(name, &String::from_utf8_lossy(bytes));
    }
    check(&compile_sources(sources, &options()))?;
    if input.through_loader {
        let _ = std::fs::remove_dir_all(scratch);
        std::fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
        for (name, bytes) in &input.files {
            std::fs::write(scratch.join(name), bytes).map_err(|e| e.to_string())?;
        }
        // A file that is not UTF-8 is a load error, which is an answer too.
        if let Ok(c) = compile_dir(scratch, &options()) {
            check(&c)?;
        }
    }
    Ok(())
}

/// Generous: seconds that only a hang or a blow-up reaches, even in a debug build on a loaded
/// machine.
fn deadline(input: &Input) -> Duration {
    let bytes: usize = input.files.iter().map(|(_, b)| b.len()).sum();
    Duration::from_secs(30 + 20 * (bytes as u64 >> 20))
}

#[test]
fn mutated_schemas_never_panic_hang_or_point_outside_the_file() {
    let secs = env_number("CANDOR_FUZZ_SECS").unwrap_or(5);
    let seed = env_number("CANDOR_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let only = env_number("CANDOR_FUZZ_CASE");
    eprintln!(
        "fuzz: seed {seed:#x}, {secs} s (set CANDOR_FUZZ_SEED, CANDOR_FUZZ_SECS, CANDOR_FUZZ_CASE)"
    );
    let seeds = seeds();
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{}", std::process::id()));
    let started = Instant::now();
    let (mut inputs, mut loaded) = (0u64, 0u64);
    let mut case = only.unwrap_or(0);
    while only.is_some() || started.elapsed() < Duration::from_secs(secs) {
        let input = input(seed, case, &seeds);
        let limit = deadline(&input);
        let (tx, rx) = mpsc::channel();
        let job_scratch = scratch.clone();
        let files = input.files.clone();
        let recipe = input.recipe.clone();
        let through_loader = input.through_loader;
        std::thread::spawn(move || {
            let input = Input {
                files,
                recipe,
                through_loader,
            };
            let outcome = std::panic::catch_unwind(|| run(&input, &job_scratch))
                .unwrap_or_else(|_| Err("panicked (message above)".to_string()));
            let _ = tx.send(outcome);
        });
        let failure = match rx.recv_timeout(limit) {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some(format!("did not finish within {limit:?}")),
        };
        if let Some(why) = failure {
            let keep = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("fuzz-failure-{seed:x}-{case}"));
            let _ = std::fs::create_dir_all(&keep);
            for (name, bytes) in &input.files {
                let _ = std::fs::write(keep.join(name), bytes);
            }
            panic!(
                "fuzz input {case} of seed {seed:#x} ({:?}, {} files{}): {why}\n\
                 files kept in {}\n\
                 reproduce: CANDOR_FUZZ_SEED={seed:#x} CANDOR_FUZZ_CASE={case} cargo test -p candor-schema --test fuzz_loader -- --nocapture",
                input.recipe,
                input.files.len(),
                if input.through_loader { ", also through the loader" } else { "" },
                keep.display()
            );
        }
        inputs += 1;
        loaded += u64::from(input.through_loader);
        if only.is_some() {
            break;
        }
        case += 1;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!(
        "fuzz: {inputs} inputs ({loaded} also through the loader) in {:.1} s, no failure",
        started.elapsed().as_secs_f64()
    );
    assert!(inputs > 0);
}
