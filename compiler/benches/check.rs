//! How fast `candor check` is on a large registry: 10,000 events × 8 fields, generated in
//! memory across 50 namespace files plus a policy file, compiled end to end by
//! `compile_sources` (YAML parsing, lowering, every check and lint, the registry). The goal is
//! at most 100 ms; figures and the command are recorded in `docs/benchmarks.md`.
//!
//! Two more put that figure in context: `yaml_parse_only` is the floor (turning the same YAML
//! into spanned trees, nothing else), and `compile_and_emit` adds emitting every event's JSON
//! Schema and `registry.json`, which is what `candor schema` does on top of checking.
//!
//! Three more feed the compiler the shapes that used to be quadratic, each with its size in
//! bytes so criterion reports MB/s (goal: at least 20 MB/s on one core, whatever the shape):
//! - `large_file` — one file of 16,384 events (the benchmark's event shapes), ~27 MB;
//! - `wide_mapping` — one event with 40,000 fields;
//! - `many_files` — 100,000 files of one small event each, in memory (`compile_sources`), and
//!   20,000 of them written to a folder and read by the loader (`load_dir` + compile).
//!
//! Run: `cargo bench -p candor-schema --bench check`
//! One core: `taskset -c 0 cargo bench -p candor-schema --bench check -- 'large_file|wide|many'`

use candor_schema::emit::{json_schema, registry};
use candor_schema::{compile_dir, compile_sources, Date, Options, SourceMap};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::fmt::Write as _;
use std::hint::black_box;

const EVENTS: usize = 10_000;
const FILES: usize = 50;
const FIELDS_PER_EVENT: usize = 8;

/// The eight field shapes every event carries, one per line of YAML below its name. Together they
/// cover every type, bounds, buckets, values, patterns (several distinct ones, as real schemas
/// have), an optional field, a `sensitive` field with its justification and `allow`, and a `pii`
/// field.
fn field(out: &mut String, event: usize, k: usize) {
    let patterns = [
        "[a-z][a-z0-9_]*",
        "[A-Z][A-Z0-9_]*",
        "[0-9]+\\\\.[0-9]+\\\\.[0-9]+",
        "[a-z_/]+\\\\.rs:[0-9]+",
    ];
    let body = match k {
        0 => "type: enum\n        values: [mainnet, testnet, devnet, other]\n        class: technical".to_string(),
        1 => "type: bool\n        class: interaction\n        optional: true".to_string(),
        2 => format!(
            "type: integer\n        min: 0\n        max: {}\n        buckets: [0, 8, 32, 128]\n        class: technical",
            128 + event % 7
        ),
        3 => "type: float\n        min: 0.0\n        max: 1.0\n        class: technical".to_string(),
        4 => format!(
            "type: string\n        max_len: 48\n        pattern: \"{}\"\n        class: technical",
            patterns[event % patterns.len()]
        ),
        5 => "type: duration\n        unit: ms\n        buckets: [0, 100, 1000, 10000]\n        class: interaction".to_string(),
        6 => "type: count\n        buckets: [0, 1, 5, 20]\n        class: sensitive\n        justification: The bucketed size shows whether the feature scales.\n        allow:\n          - lint: sensitive-in-usage\n            reason: Only four coarse buckets are sent.".to_string(),
        _ => "type: string\n        class: pii\n        description: Declared so that it can never be collected.".to_string(),
    };
    let _ = write!(out, "      field_{k}:\n        {body}\n");
    if k != 7 {
        let _ = writeln!(
            out,
            "        description: Field {k} of event {event}, generated for the benchmark."
        );
    }
}

/// One namespace file holding `events` events numbered from `first`.
fn namespace_file(name: &str, first: usize, events: usize) -> String {
    let mut text = format!(
        "namespace: {name}\n\
         description: Generated namespace.\n\
         owners: [team@example.org]\n\
         defaults: {{ consent: usage, retention_days: 30, expires: 2027-06-30 }}\n\
         events:\n"
    );
    for event in first..first + events {
        let _ = write!(
            text,
            "  event_{event:05}:\n    description: Generated event {event}.\n    \
             purpose: Measure the checker on a large registry.\n    version: {}\n    fields:\n",
            1 + event % 3
        );
        for k in 0..FIELDS_PER_EVENT {
            field(&mut text, event, k);
        }
    }
    text
}

/// One file of 16,384 events.
fn large_file() -> SourceMap {
    let mut sources = SourceMap::default();
    sources.add_text("large.yaml", &namespace_file("large", 0, 16_384));
    sources
}

/// One event with 40,000 fields, each a one-line flow mapping.
fn wide_mapping() -> SourceMap {
    let mut text = String::from(
        "namespace: wide\ndescription: One very wide event.\nowners: [team@example.org]\n\
         events:\n  wide:\n    description: Wide.\n    purpose: Measure wide mappings.\n    \
         version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-06-30\n    fields:\n",
    );
    for i in 0..40_000 {
        let _ = writeln!(
            text,
            "      field_{i:05}: {{ type: count, buckets: [0, 1, 5], class: technical, description: Field {i}. }}"
        );
    }
    let mut sources = SourceMap::default();
    sources.add_text("wide.yaml", &text);
    sources
}

/// `n` files of one event each.
fn many_files(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let text = format!(
                "namespace: ns_{i:06}\ndescription: File {i}.\nowners: [team@example.org]\n\
                 events:\n  opened:\n    description: Opened.\n    purpose: Count.\n    \
                 version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-06-30\n    \
                 fields:\n      kind: {{ type: enum, values: [a, b], class: technical, description: Kind. }}\n"
            );
            (format!("d{:03}/f{i:06}.yaml", i % 1000), text)
        })
        .collect()
}

fn bytes_of(sources: &SourceMap) -> u64 {
    sources.files().map(|(_, f)| f.text.len() as u64).sum()
}

/// Compiles `sources` once to check they are clean (else the figure would measure error
/// reporting), then benchmarks `compile_sources` on them.
fn shape(c: &mut Criterion, name: &str, sources: SourceMap, events: usize) {
    let first = compile_sources(sources.clone(), &options());
    assert!(
        first.diagnostics.is_empty(),
        "{}",
        first.render(candor_schema::diagnostic::Color::Never)
    );
    assert_eq!(first.registry.expect("clean").events().count(), events);
    let bytes = bytes_of(&sources);
    eprintln!(
        "{name}: {} files, {:.1} MiB",
        sources.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("compile_sources", |b| {
        b.iter_batched(
            || sources.clone(),
            |s| black_box(compile_sources(s, &options())),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn shapes(c: &mut Criterion) {
    shape(c, "large_file", large_file(), 16_384);
    shape(c, "wide_mapping", wide_mapping(), 1);
    let files = many_files(100_000);
    let mut sources = SourceMap::default();
    for (rel, text) in &files {
        sources.add_text(rel, text);
    }
    shape(c, "many_files", sources, 100_000);

    // Through the file system: the loader's walk, checks and reads, then the compiler.
    let dir = std::env::temp_dir().join(format!("candor-bench-many-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let on_disk = &files[..20_000];
    let mut bytes = 0;
    for (rel, text) in on_disk {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, text).expect("file");
        bytes += text.len() as u64;
    }
    let mut group = c.benchmark_group("many_files");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("load_dir_20k_and_compile", |b| {
        b.iter(|| {
            let c = compile_dir(&dir, &options()).expect("loads");
            assert!(c.registry.is_some());
            black_box(c)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn generate() -> SourceMap {
    let mut sources = SourceMap::default();
    sources.add_text(
        "candor.yaml",
        "max_retention_days: 30\nmax_expiry_days: 730\nmax_string_len: 64\n",
    );
    let per_file = EVENTS / FILES;
    for f in 0..FILES {
        let mut text = format!(
            "namespace: area_{f:03}\n\
             description: Generated namespace {f}.\n\
             owners: [team-{f}@example.org]\n\
             defaults: {{ consent: usage, retention_days: 30, expires: 2027-06-30 }}\n\
             events:\n"
        );
        for e in 0..per_file {
            let event = f * per_file + e;
            let _ = write!(
                text,
                "  event_{event:05}:\n    description: Generated event {event}.\n    \
                 purpose: Measure the checker on a large registry.\n    version: {}\n    fields:\n",
                1 + event % 3
            );
            for k in 0..FIELDS_PER_EVENT {
                field(&mut text, event, k);
            }
        }
        sources.add_text(&format!("area/{f:03}.yaml"), &text);
    }
    sources
}

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Options::default()
    }
}

fn bench(c: &mut Criterion) {
    let sources = generate();
    let bytes: usize = sources.files().map(|(_, f)| f.text.len()).sum();
    // The input must be clean, or the benchmark would measure error reporting instead.
    let first = compile_sources(sources.clone(), &options());
    assert_eq!(
        first.diagnostics.len(),
        0,
        "{}",
        first.render(candor_schema::diagnostic::Color::Never)
    );
    let registry = first.registry.expect("registry");
    assert_eq!(registry.events().count(), EVENTS);
    assert!(registry
        .events()
        .all(|e| e.fields.len() == FIELDS_PER_EVENT));
    eprintln!(
        "input: {EVENTS} events x {FIELDS_PER_EVENT} fields, {} files, {:.1} MiB of YAML",
        sources.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );

    let mut group = c.benchmark_group("check");
    group.sample_size(20);
    group.bench_function("compile_sources/10k_events_x_8_fields", |b| {
        b.iter_batched(
            || sources.clone(),
            |s| black_box(compile_sources(s, &options())),
            BatchSize::LargeInput,
        )
    });
    // The floor under `compile_sources`: only turning the YAML into spanned trees.
    group.bench_function("yaml_parse_only/10k_events_x_8_fields", |b| {
        b.iter(|| {
            for (id, file) in sources.files() {
                black_box(candor_schema::yaml::parse(&file.text, id).expect("valid YAML"));
            }
        })
    });
    group.bench_function("compile_and_emit/10k_events_x_8_fields", |b| {
        b.iter_batched(
            || sources.clone(),
            |s| {
                let c = compile_sources(s, &options());
                let registry = c.registry.expect("registry");
                let files = json_schema::all(&registry);
                black_box((files, registry::registry_json(&registry)))
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench, shapes);
criterion_main!(benches);
