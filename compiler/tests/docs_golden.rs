//! Golden files for `candor docs`: the page generated for the example wallet schemas, for a
//! fixture full of text that must be escaped, and for a namespace with every metric type. Regenerate with `UPDATE_GOLDEN=1`.

#[path = "golden/support.rs"]
mod support;

use candor_schema::docs::{self, SiteOptions};
use candor_schema::emit::OutputFile;

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .expect("page generated")
        .contents
}

#[test]
fn wallet_schemas_match_golden_files() {
    let reg = support::compile_folder(&support::wallet_fixture());
    let files = docs::site(&reg, &SiteOptions::default());
    assert_eq!(files.len(), 2);
    support::check("docs/wallet-out/index.html", file(&files, docs::HTML_FILE));
    support::check(
        "docs/wallet-out/README.md",
        file(&files, docs::MARKDOWN_FILE),
    );
}

#[test]
fn escaping_fixture_matches_golden_files() {
    let text = std::fs::read_to_string(support::golden_dir().join("docs/escaping.yaml")).unwrap();
    let reg = support::compile_one("lab.yaml", &text);
    let files = docs::site(
        &reg,
        &SiteOptions {
            title: "What <Lab> & co collect".to_string(),
        },
    );
    support::check("docs/escaping/index.html", file(&files, docs::HTML_FILE));
    support::check("docs/escaping/README.md", file(&files, docs::MARKDOWN_FILE));
}

#[test]
fn metrics_fixture_matches_golden_files() {
    let text = std::fs::read_to_string(support::golden_dir().join("docs/metrics.yaml")).unwrap();
    let reg = support::compile_one("node.yaml", &text);
    let files = docs::site(&reg, &SiteOptions::default());
    let (html, md) = (
        file(&files, docs::HTML_FILE),
        file(&files, docs::MARKDOWN_FILE),
    );
    // Escaped like every other text of the page.
    assert!(
        md.contains(r"Blocks &lt;downloaded&gt; &amp; verified \| per hour."),
        "{md}"
    );
    assert!(html.contains("Blocks &lt;downloaded&gt; &amp; verified | per hour."));
    support::check("docs/metrics-out/index.html", html);
    support::check("docs/metrics-out/README.md", md);
}
