//! The scrubbing rules of error reports, as pure functions of text: the panic site's path
//! made relative to its crate, and a `std::backtrace` rendering reduced to the function paths
//! of the app's own crates. The table in `docs/error-reports.md` lists every rule; each has a
//! unit test below. Nothing here sees the panic message.

use crate::scanner;

/// Directory names after which a path is inside a crate: the crate's folder is the component
/// before the last of them.
const CRATE_DIRS: [&str; 4] = ["src", "tests", "examples", "benches"];

/// The panic site as `crate-dir/path/in/crate.rs:line`: no home directory, registry index,
/// checkout hash or machine path; a component the secret scanner flags becomes `_`.
pub(crate) fn site(file: &str, line: u32) -> String {
    let path = file.replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let kept = crate_relative(&parts);
    let mut out = String::new();
    for (i, part) in kept.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&component(part));
    }
    if out.is_empty() {
        out.push('_');
    }
    out.push(':');
    out.push_str(itoa::Buffer::new().format(line));
    out
}

/// The components of a path from its crate's folder on.
fn crate_relative<'a>(parts: &'a [&'a str]) -> &'a [&'a str] {
    // `<cargo home>/registry/src/<index>/foo-1.2.3/src/lib.rs` → `foo-1.2.3/src/lib.rs`.
    if let Some(i) = find_pair(parts, "registry", "src") {
        return parts.get(i + 3..).unwrap_or(&[]);
    }
    // `<cargo home>/git/checkouts/<repo>-<hash>/<rev>/src/lib.rs`: the crate folder is found
    // below like any other; the standard library's `/rustc/<hash>/library/std/src/…` too.
    match parts
        .iter()
        .rposition(|p| CRATE_DIRS.contains(p))
        .filter(|&i| i + 1 < parts.len())
    {
        Some(0) => parts,
        Some(i) => &parts[i - 1..],
        // No crate folder to anchor on: the file name alone.
        None => parts.last().map_or(&[], std::slice::from_ref),
    }
}

fn find_pair(parts: &[&str], a: &str, b: &str) -> Option<usize> {
    (0..parts.len().saturating_sub(1))
        .rev()
        .find(|&i| parts[i] == a && parts[i + 1] == b)
}

/// One path component: characters outside `[A-Za-z0-9._+-]` become `_`, and the whole
/// component is `_` if the secret scanner recognises anything in it (an e-mail address or a
/// wallet address used as a folder name).
fn component(part: &str) -> String {
    if scanner::scan(part).is_some() || part.contains('@') {
        return "_".to_owned();
    }
    part.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A backtrace reduced to the app's frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Frames {
    /// Function paths of the app's own frames, innermost first, with `+N` for each run of N
    /// other frames between two of them.
    pub text: String,
    /// Frames not written: other crates' (collapsed into the `+N` markers or before the first
    /// app frame and after the last) and, once the text is cut to a length, the rest.
    pub omitted: u64,
}

/// Reduces `rendered` (the `Display` text of a `std::backtrace::Backtrace`) to the frames
/// whose crate is in `app`: function paths only (no addresses, no file paths, no arguments,
/// no generic parameters, no symbol hashes), the frames of the panic machinery and every
/// other crate collapsed into counts.
pub(crate) fn frames(rendered: &str, app: &[String]) -> Frames {
    let mut out = Frames::default();
    let mut run = 0u64;
    let mut seen_app = false;
    for name in symbols(rendered) {
        let name = simplify(name);
        let ours = crate_of(&name).is_some_and(|c| app.iter().any(|a| a == c));
        if !ours {
            run += 1;
            continue;
        }
        if seen_app && run > 0 {
            out.text.push_str(" +");
            out.text.push_str(itoa::Buffer::new().format(run));
        }
        out.omitted += run;
        run = 0;
        if seen_app {
            out.text.push(' ');
        }
        out.text.push_str(&name);
        seen_app = true;
    }
    out.omitted += run;
    out
}

/// The function names of a rendered backtrace: lines `   N: name`; `at file:line` lines are
/// ignored.
fn symbols(rendered: &str) -> impl Iterator<Item = &str> {
    rendered.lines().filter_map(|line| {
        let line = line.trim_start();
        let (index, name) = line.split_once(": ")?;
        index
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(name.trim())
    })
}

/// A symbol as a plain path: `<T as Trait>::f` → `T::f`, generic arguments, symbol hashes
/// and anything that is not an identifier character removed, `{{closure}}` → `{closure}`.
pub(crate) fn simplify(name: &str) -> String {
    // A signature or arguments never belong in a report (std does not render them; other
    // renderings might).
    let name = name.split('(').next().unwrap_or_default();
    let name = strip_hash(name.trim());
    let name = match impl_self(name) {
        Some((self_ty, rest)) => format!("{self_ty}{rest}"),
        None => name.to_owned(),
    };
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() || c == '_' || c == ':' => out.push(c),
            '{' | '}' => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("{{", "{").replace("}}", "}");
    // A turbofish leaves `::` with nothing after it.
    let out = out.replace("::::", "::");
    out.trim_end_matches(':').to_owned()
}

/// `name::h0123456789abcdef` → `name`.
fn strip_hash(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    }
}

/// `<T as Trait>::rest` → (`T`, `::rest`); `<T>::rest` → (`T`, `::rest`).
fn impl_self(name: &str) -> Option<(&str, &str)> {
    let inner = name.strip_prefix('<')?;
    let mut depth = 1usize;
    let mut end = None;
    for (i, c) in inner.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let end = end?;
    let body = &inner[..end];
    let self_ty = match top_level_as(body) {
        Some(i) => &body[..i],
        None => body,
    };
    let self_ty = self_ty
        .trim_start_matches(['&', '*'])
        .trim_start_matches("mut ");
    let self_ty = self_ty
        .trim_start_matches("const ")
        .trim_start_matches("dyn ");
    Some((self_ty.trim(), &inner[end + 1..]))
}

/// Where ` as ` occurs outside angle brackets.
fn top_level_as(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let b = s.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'<' => depth += 1,
            b'>' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 && s[i..].starts_with(" as ") => return Some(i),
            _ => {}
        }
    }
    None
}

/// The crate a simplified path belongs to: its first segment.
pub(crate) fn crate_of(path: &str) -> Option<&str> {
    let first = path.split("::").next()?;
    (!first.is_empty() && !first.starts_with('{')).then_some(first)
}

/// The crate of the first frame outside the panic machinery (`std`, `core`, `alloc`, the
/// unwinder, and candor itself): the crate whose code panicked.
pub(crate) fn panicking_crate(rendered: &str) -> Option<String> {
    const MACHINERY: [&str; 7] = [
        "std",
        "core",
        "alloc",
        "candor",
        "rust_begin_unwind",
        "__rustc",
        "backtrace",
    ];
    symbols(rendered)
        .map(simplify)
        .find(|name| {
            crate_of(name).is_some_and(|c| !MACHINERY.contains(&c) && !c.starts_with("__"))
        })
        .and_then(|name| crate_of(&name).map(str::to_owned))
}

/// `frames` cut at a frame boundary to at most `max` bytes; the frames cut are added to
/// `omitted` (the `+N` markers are already counted there).
pub(crate) fn fit(frames: &Frames, max: usize) -> (String, u64) {
    if frames.text.len() <= max {
        return (frames.text.clone(), frames.omitted);
    }
    let mut text = String::new();
    let mut cut = 0u64;
    let mut full = false;
    for token in frames.text.split(' ') {
        let is_run = token.starts_with('+');
        if !full {
            let need = token.len() + usize::from(!text.is_empty());
            if text.len() + need <= max {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(token);
                continue;
            }
            full = true;
        }
        if !is_run {
            cut += 1;
        }
    }
    // A trailing `+N` with no app frame after it says nothing the count does not.
    if let Some((head, last)) = text.rsplit_once(' ') {
        if last.starts_with('+') {
            text.truncate(head.len());
        }
    }
    (text, frames.omitted + cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_paths_lose_the_home_and_the_index() {
        assert_eq!(
            site(
                "/home/alice/.cargo/registry/src/index.crates.io-6f17d22bba15001f/foo-1.2.3/src/lib.rs",
                7
            ),
            "foo-1.2.3/src/lib.rs:7"
        );
        assert_eq!(
            site(
                r"C:\Users\alice\.cargo\registry\src\index.crates.io-1949cf8c6b5b557f\bar-0.1.0\src\de\mod.rs",
                12
            ),
            "bar-0.1.0/src/de/mod.rs:12"
        );
    }

    #[test]
    fn other_absolute_paths_keep_the_crate_folder_on() {
        assert_eq!(
            site("/home/alice/projects/my-wallet/src/sign.rs", 40),
            "my-wallet/src/sign.rs:40"
        );
        assert_eq!(
            site(
                "/home/alice/.cargo/git/checkouts/ledger-5d2a1c/ab12cd3/crates/core/src/x.rs",
                3
            ),
            "core/src/x.rs:3"
        );
        assert_eq!(
            site(
                "/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/option.rs",
                2
            ),
            "core/src/option.rs:2"
        );
        assert_eq!(site("/home/bob/build.rs", 1), "build.rs:1");
        assert_eq!(site("src/main.rs", 5), "src/main.rs:5");
        assert_eq!(site("./src/../src/main.rs", 5), "src/main.rs:5");
    }

    #[test]
    fn personal_data_in_folder_names_is_replaced() {
        let s = site(
            "/home/alice/alice@example.org/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/src/lib.rs",
            9,
        );
        assert_eq!(s, "_/src/lib.rs:9");
        let s = site(
            "/tmp/0x52908400098527886E0F7030069857D2E4169EE7/src/a b;c.rs",
            1,
        );
        assert_eq!(s, "_/src/a_b_c.rs:1");
    }

    const RENDERED: &str = "   0: std::backtrace_rs::backtrace::libunwind::trace
             at /rustc/abc/library/std/src/../../backtrace/src/backtrace/libunwind.rs:116:5
   1: std::backtrace::Backtrace::create
   2: candor::panic_report::hook::h0123456789abcdef
   3: std::panicking::rust_panic_with_hook
   4: std::panicking::begin_panic_handler::{{closure}}
   5: rust_begin_unwind
   6: core::panicking::panic_fmt
   7: my_wallet::sign::Signer<T>::sign_tx
             at /home/alice/src/my-wallet/src/sign.rs:40:9
   8: <my_wallet::Cli as core::ops::Drop>::drop
   9: core::ops::function::FnOnce::call_once
  10: <alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once
  11: my_wallet::main::{{closure}}
  12: my_wallet::main
  13: std::rt::lang_start::{{closure}}
  14: main
  15: __libc_start_main
";

    #[test]
    fn frames_keep_the_app_and_count_the_rest() {
        let f = frames(RENDERED, &["my_wallet".to_owned()]);
        assert_eq!(
            f.text,
            "my_wallet::sign::Signer::sign_tx my_wallet::Cli::drop +2 my_wallet::main::{closure} my_wallet::main"
        );
        assert_eq!(f.omitted, 7 + 2 + 3);
        assert!(!f.text.contains("alice") && !f.text.contains('/'));
    }

    #[test]
    fn the_panicking_crate_is_the_first_frame_past_the_machinery() {
        assert_eq!(panicking_crate(RENDERED).as_deref(), Some("my_wallet"));
    }

    #[test]
    fn symbols_are_plain_paths() {
        assert_eq!(simplify("a::b::h0123456789abcdef"), "a::b");
        assert_eq!(simplify("a::f::<u8, alloc::string::String>"), "a::f");
        assert_eq!(simplify("<&mut a::T as b::Tr<c::U>>::m"), "a::T::m");
        assert_eq!(simplify("<a::T<X>>::new"), "a::T::new");
        assert_eq!(
            simplify("a::g::{{closure}}::{{closure}}"),
            "a::g::{closure}::{closure}"
        );
        assert_eq!(simplify("a::h(x=\"alice@example.org\")"), "a::h");
        assert_eq!(simplify("a::weird$name!"), "a::weirdname");
    }

    #[test]
    fn fitting_cuts_at_frame_boundaries_and_counts_what_it_cut() {
        let f = Frames {
            text: "a::one a::two +3 a::three".into(),
            omitted: 4,
        };
        assert_eq!(fit(&f, 100), (f.text.clone(), 4));
        // `omitted` already counts the 3 collapsed frames; cutting adds the app frames cut.
        assert_eq!(fit(&f, 13), ("a::one a::two".into(), 4 + 1));
        assert_eq!(fit(&f, 16), ("a::one a::two".into(), 4 + 1));
        assert_eq!(fit(&f, 3), (String::new(), 4 + 3));
    }
}
