//! Golden files for `candor diff`: one scenario with many kinds of change at once (see
//! `golden/diff/base.yaml` and `head.yaml`), rendered as Markdown and as JSON. Regenerate with
//! `UPDATE_GOLDEN=1`.

#[path = "golden/support.rs"]
mod support;

use candor_schema::{compile_sources, diff, SourceMap};

fn read(name: &str) -> String {
    std::fs::read_to_string(support::golden_dir().join("diff").join(name)).unwrap()
}

fn report() -> diff::Report {
    let base = support::compile_one("shop.yaml", &read("base.yaml"));
    let mut sources = SourceMap::default();
    sources.add_text("candor.yaml", &read("head-policy.yaml"));
    sources.add_text("shop.yaml", &read("head.yaml"));
    let compiled = compile_sources(sources, &support::options());
    let rendered = compiled.render(candor_schema::diagnostic::Color::Never);
    let head = compiled
        .registry
        .unwrap_or_else(|| panic!("head does not compile:\n{rendered}"));
    diff::diff("origin/main:schemas", &base, "schemas", &head)
}

#[test]
fn markdown_matches_golden_file() {
    support::check("diff/report.md", &report().to_markdown());
}

#[test]
fn json_matches_golden_file() {
    let r = report();
    let json = r.to_json();
    support::check("diff/report.json", &json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "candor.diff/1");
    assert_eq!(value["ok"], false);
    assert_eq!(value["failures"].as_array().unwrap().len(), 4);
}
