//! The public transparency site (`candor docs`): a plain-language summary of what is collected
//! and never collected, then every event and field with its privacy class, as one
//! self-contained HTML page and the same content in Markdown.
//!
//! Output is a pure function of the registry and [`SiteOptions`]: no timestamps, registry order
//! throughout, so the generated files can be committed and checked for staleness in CI.

pub mod describe;
pub mod html;
pub mod markdown;
pub mod metric_text;
pub mod summary;

use crate::emit::OutputFile;
use crate::ir::Registry;

/// The HTML page, relative to the output folder.
pub const HTML_FILE: &str = "index.html";
/// The Markdown page; `README.md` so code hosts show it when the folder is opened.
pub const MARKDOWN_FILE: &str = "README.md";

/// What a project can set about its page.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The page title, e.g. "What Example Wallet collects".
    pub title: String,
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions {
            title: "What this app collects".to_string(),
        }
    }
}

/// Both pages for `registry`.
pub fn site(registry: &Registry, options: &SiteOptions) -> Vec<OutputFile> {
    let summary = summary::summarize(registry);
    vec![
        OutputFile {
            path: HTML_FILE.to_string(),
            contents: html::render(registry, &summary, options),
        },
        OutputFile {
            path: MARKDOWN_FILE.to_string(),
            contents: markdown::render(registry, &summary, options),
        },
    ]
}
