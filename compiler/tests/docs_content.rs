//! What the transparency page must say and must not do, checked on the generated text rather
//! than against golden files: determinism, no external resources, escaping, and that every
//! `pii` field, every suppressed lint and every justification is shown.

#[path = "golden/support.rs"]
mod support;

use candor_schema::docs::{self, describe, SiteOptions};
use candor_schema::ir::PrivacyClass;

fn pages(reg: &candor_schema::Registry) -> (String, String) {
    let files = docs::site(reg, &SiteOptions::default());
    let get = |p: &str| files.iter().find(|f| f.path == p).unwrap().contents.clone();
    (get(docs::HTML_FILE), get(docs::MARKDOWN_FILE))
}

fn fixture() -> candor_schema::Registry {
    let text = std::fs::read_to_string(support::golden_dir().join("docs/escaping.yaml")).unwrap();
    support::compile_one("lab.yaml", &text)
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = pages(&support::compile_folder(&support::wallet_fixture()));
    let b = pages(&support::compile_folder(&support::wallet_fixture()));
    assert_eq!(a, b);
}

#[test]
fn output_does_not_depend_on_today() {
    let reg = support::compile_folder(&support::wallet_fixture());
    let later = candor_schema::compile_dir(
        &support::wallet_fixture(),
        &candor_schema::Options {
            today: candor_schema::Date::parse("2027-01-15"),
            ..Default::default()
        },
    )
    .unwrap()
    .registry
    .expect("still valid in January 2027");
    assert_eq!(pages(&reg), pages(&later));
}

#[test]
fn html_loads_nothing_from_outside() {
    let (html, _) = pages(&support::compile_folder(&support::wallet_fixture()));
    for needle in [
        "src=", "http:", "https:", "url(", "@import", "<link", "//cdn", "<iframe",
    ] {
        assert!(!html.contains(needle), "page contains `{needle}`");
    }
    assert!(
        html.contains("default-src 'none'"),
        "a CSP forbids requests"
    );
    // The form is hidden until the script reveals it, so the page reads fine without script.
    assert!(html.contains("<form id=\"filters\" role=\"search\" hidden>"));
}

#[test]
fn schema_text_cannot_inject_markup() {
    let (html, md) = pages(&fixture());
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("<code>code &lt;b&gt;</code>"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own filter script"
    );
    assert!(!md.contains("<img"));
    assert!(!md.contains("<script>"));
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // A `|` in a pattern must not split the table row.
    let row = md.lines().find(|l| l.starts_with("| `tag` |")).unwrap();
    assert_eq!(row.matches(" | ").count(), 6, "{row}");
}

#[test]
fn every_pii_field_and_personal_kind_is_listed_as_never_collected() {
    let reg = support::compile_folder(&support::wallet_fixture());
    let (html, md) = pages(&reg);
    let never_html = &html[html.find("id=\"never\"").unwrap()..html.find("How to opt in").unwrap()];
    let never_md =
        &md[md.find("### What is never collected").unwrap()..md.find("### How to opt in").unwrap()];
    let mut pii = 0;
    for e in reg.events() {
        for f in e.fields.iter().filter(|f| f.class == PrivacyClass::Pii) {
            pii += 1;
            let item = format!("<code>{}</code> in <a href=\"#{}\">", f.name, e.full_name);
            assert!(never_html.contains(&item), "{item}");
            let item = format!("`{}` in `{}`", f.name, e.full_name);
            assert!(never_md.contains(&item), "{item}");
        }
    }
    assert_eq!(pii, 5);
    for kind in describe::NEVER_KINDS {
        assert!(never_md.contains(&describe::capitalize(kind)), "{kind}");
    }
    for word in [
        "IP addresses",
        "email",
        "seed words",
        "Balances",
        "name",
        "keys",
        "addresses",
    ] {
        assert!(never_md.contains(word), "never-collected list names {word}");
    }
}

#[test]
fn justifications_suppressed_lints_and_reviews_are_shown() {
    let reg = fixture();
    let (html, md) = pages(&reg);
    for page in [&html, &md] {
        assert!(
            page.contains("Probes are part of the health check"),
            "expiry justification"
        );
        assert!(page.contains("reviewer's note"), "review note");
        assert!(
            page.contains("could single out a lab"),
            "field justification"
        );
        assert!(page.contains("no end date"));
    }
    let reg = support::compile_folder(&support::wallet_fixture());
    let (html, md) = pages(&reg);
    let mut allows = 0;
    for e in reg.events() {
        for f in &e.fields {
            for a in &f.allow {
                allows += 1;
                assert!(md.contains(&format!("the `{}` check is switched off because: ", a.lint)));
                assert!(html.contains(&format!(
                    "the <code>{}</code> check is switched off",
                    a.lint
                )));
            }
        }
    }
    assert_eq!(allows, 3);
}

#[test]
fn every_field_carries_a_text_label_for_its_class() {
    let reg = support::compile_folder(&support::wallet_fixture());
    let (html, md) = pages(&reg);
    for e in reg.events() {
        for f in &e.fields {
            let label = describe::class_label(f.class);
            let md_row = md
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", f.name)))
                .unwrap();
            assert!(md_row.contains(&format!("**{label}**")), "{md_row}");
            let html_row = html
                .lines()
                .find(|l| l.contains(&format!("<th scope=\"row\"><code>{}</code></th>", f.name)))
                .unwrap();
            assert!(html_row.contains(&format!("cls-{}", f.class.as_str())));
            assert!(
                html_row.contains(&format!("</span> {label}</span>")),
                "{html_row}"
            );
        }
    }
}

#[test]
fn a_sensitive_metrics_justification_and_publication_are_shown() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/valid/021-sensitive-metric-published.yaml"
    ))
    .unwrap();
    let reg = support::compile_one("corpus.yaml", &text);
    let (md, html) = pages(&reg);
    for page in [&md, &html] {
        assert!(page.contains("Two bands only; the exact size is never sent."));
        assert!(page.contains("Needed to size the unlock cache; not for publication."));
        assert!(page.contains("its schema lets the app publish its totals"));
        assert!(page.contains("its numbers are never in the public aggregate report"));
    }
}
