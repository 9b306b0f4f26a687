#!/usr/bin/env python3
"""Generates the two crates of the derive build-time comparison (docs/benchmarks.md, `## Derive`).

Both crates declare the same 500 five-field event structs and a function that encodes every one
of them to JSON; one uses `#[derive(candor::Event)]` against 500 generated YAML events, the other
`#[derive(serde::Serialize)]` with `serde_json`. Each crate is its own `[workspace]`, so neither
joins the repository's workspace.

usage: generate.py OUT_DIR [EVENTS] [--opt-macros]

--opt-macros adds `[profile.dev.build-override] opt-level = 3` to both crates, so proc macros
and what they call run optimized (a common setting for macro-heavy crates).
"""
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NAMESPACES = 10


def event_names(count):
    per_ns = (count + NAMESPACES - 1) // NAMESPACES
    for i in range(count):
        yield f"ns{i // per_ns}", f"event_{i}", f"Event{i}"


def schemas(count):
    files = {}
    for ns, name, _ in event_names(count):
        body = files.setdefault(ns, [
            f"namespace: {ns}\n",
            "description: Generated events for the derive build-time benchmark.\n",
            "owners: [bench@example.org]\n",
            "defaults: { consent: usage, retention_days: 30 }\n",
            "\nevents:\n",
        ])
        body.append(f"""  {name}:
    description: A generated event.
    purpose: Measure the build time of many derives.
    version: 1
    expires: never
    expiry_justification: A benchmark fixture that never ships.
    fields:
      express:
        type: bool
        class: interaction
        description: A flag.
      items:
        type: count
        max: 50
        class: interaction
        description: A capped count.
      load_ms:
        type: duration
        unit: ms
        buckets: [0, 100, 1000, 10000]
        class: technical
        description: A bucketed duration.
      payment:
        type: enum
        values: [card, bank_transfer, voucher]
        class: interaction
        description: A choice.
      code:
        type: string
        max_len: 12
        pattern: "[A-Z0-9]+"
        class: interaction
        optional: true
        description: A short public code.
""")
    return {f"{ns}.yaml": "".join(lines) for ns, lines in files.items()}


STRUCT_FIELDS = """    pub express: bool,
    pub items: u32,
    pub load_ms: u64,
    pub payment: Payment,
    pub code: Option<String>,
"""


def candor_lib(count):
    out = ["//! 500 events with #[derive(candor::Event)] (generated).\n",
           "#[derive(candor::EventEnum, Clone, Copy)]\n",
           "pub enum Payment { Card, BankTransfer, Voucher }\n\n"]
    calls = []
    for ns, name, ty in event_names(count):
        out.append(f"#[derive(candor::Event)]\n#[event(name = \"{ns}.{name}\")]\n"
                   f"pub struct {ty} {{\n{STRUCT_FIELDS}}}\n\n")
        calls.append(f"    candor::Event::encode_fields(&{ty} {{ express: true, items: 1, load_ms: 5, "
                     f"payment: Payment::Card, code: None }}, &mut candor::FieldWriter::new(buf)).unwrap();\n")
    out.append("pub fn encode_all(buf: &mut Vec<u8>) {\n")
    out.extend(calls)
    out.append("}\n")
    return "".join(out)


def serde_lib(count):
    out = ["//! 500 events with #[derive(serde::Serialize)] (generated).\n",
           "#[derive(serde::Serialize, Clone, Copy)]\n#[serde(rename_all = \"snake_case\")]\n",
           "pub enum Payment { Card, BankTransfer, Voucher }\n\n"]
    calls = []
    for _, _, ty in event_names(count):
        out.append(f"#[derive(serde::Serialize)]\npub struct {ty} {{\n"
                   + STRUCT_FIELDS.replace("    pub code", "    #[serde(skip_serializing_if = \"Option::is_none\")]\n    pub code")
                   + "}\n\n")
        calls.append(f"    serde_json::to_writer(&mut *buf, &{ty} {{ express: true, items: 1, load_ms: 5, "
                     f"payment: Payment::Card, code: None }}).unwrap();\n")
    out.append("pub fn encode_all(buf: &mut Vec<u8>) {\n")
    out.extend(calls)
    out.append("}\n")
    return "".join(out)


OPT_MACROS = "--opt-macros" in sys.argv


def manifest(name, deps):
    extra = "\n[profile.dev.build-override]\nopt-level = 3\n" if OPT_MACROS else ""
    return f"""[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
{deps}{extra}"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = os.path.abspath(args[0])
    count = int(args[1]) if len(args) > 1 else 500
    c = os.path.join(out, "candor_events")
    write(os.path.join(c, "Cargo.toml"),
          manifest("candor_events", f'candor = {{ path = "{REPO}/runtime" }}\n'))
    write(os.path.join(c, "src", "lib.rs"), candor_lib(count))
    write(os.path.join(c, "build.rs"), 'fn main() { println!("cargo:rerun-if-changed=schemas"); }\n')
    for file, text in schemas(count).items():
        write(os.path.join(c, "schemas", file), text)
    s = os.path.join(out, "serde_events")
    write(os.path.join(s, "Cargo.toml"),
          manifest("serde_events", 'serde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'))
    write(os.path.join(s, "src", "lib.rs"), serde_lib(count))
    # Same lock file as the repository, so both use the same dependency versions.
    lock = os.path.join(REPO, "Cargo.lock")
    for crate in (c, s):
        with open(lock) as src, open(os.path.join(crate, "Cargo.lock"), "w") as dst:
            dst.write(src.read())


if __name__ == "__main__":
    main()
