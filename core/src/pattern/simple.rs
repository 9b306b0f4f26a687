//! The common shape of schema patterns — character classes and literals with `+`, `*`, `?`,
//! `{n,m}`, such as `[a-z][a-z0-9_]*`, `[A-Z0-9]+`, `v\d{1,3}` — as a list of [`Step`]s that a
//! greedy byte walk follows without a regular expression.
//!
//! A walk that consumes the whole value proves the pattern matches it. When it does not, the
//! regular expression decides, so a pattern read "wrong" here could only cost speed — unless
//! the walk is *exact* ([`is_exact`]): then its "no" is final too and no regular expression is
//! needed at all. Exactness is proved below and property-tested against `regex-lite`.
//!
//! One walk, generic over how the steps are stored: the compiler and the derive own them
//! (`Vec`), the code the derive generates keeps them in `&'static` tables that the runtime
//! walks.

/// [`Step::max`] of a step without an upper bound.
pub const UNBOUNDED: u32 = u32::MAX;

/// One step: a byte in one of `ranges`, repeated `min..=max` times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step<R> {
    /// Inclusive byte ranges (ASCII).
    pub ranges: R,
    /// Fewest repetitions.
    pub min: u32,
    /// Most repetitions; [`UNBOUNDED`] for none.
    pub max: u32,
}

impl<R: AsRef<[(u8, u8)]>> Step<R> {
    /// Whether the step can take `b`.
    #[inline]
    pub fn takes(&self, b: u8) -> bool {
        self.ranges
            .as_ref()
            .iter()
            .any(|&(lo, hi)| lo <= b && b <= hi)
    }

    /// Whether the step may take a varying number of bytes.
    pub fn has_choice(&self) -> bool {
        self.min != self.max
    }

    /// Whether no byte can be taken by both steps.
    pub fn disjoint<Q: AsRef<[(u8, u8)]>>(&self, other: &Step<Q>) -> bool {
        self.ranges.as_ref().iter().all(|&(lo, hi)| {
            other
                .ranges
                .as_ref()
                .iter()
                .all(|&(l2, h2)| hi < l2 || h2 < lo)
        })
    }
}

/// A pattern read as steps, and whether the walk decides it exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimplePattern<S> {
    /// The steps, in order.
    pub steps: S,
    /// The walk rejects exactly what the pattern rejects ([`is_exact`]).
    pub exact: bool,
}

/// Steps as the compiler and the derive hold them.
pub type OwnedSteps = Vec<Step<Vec<(u8, u8)>>>;

/// A step in a constant table of generated code.
pub type StaticStep = Step<&'static [(u8, u8)]>;

/// A pattern as generated code keeps it: a constant table the runtime walks.
pub type StaticPattern = SimplePattern<&'static [StaticStep]>;

impl<S> SimplePattern<S> {
    /// Whether the greedy walk proves that the whole of `value` matches: each step takes as
    /// many bytes as it can (up to its `max`), and must have taken at least its `min`.
    #[inline]
    pub fn proves<R>(&self, value: &str) -> bool
    where
        S: AsRef<[Step<R>]>,
        R: AsRef<[(u8, u8)]>,
    {
        let b = value.as_bytes();
        let mut i = 0;
        for step in self.steps.as_ref() {
            let mut n = 0u32;
            while i < b.len() && n < step.max && step.takes(b[i]) {
                i += 1;
                n += 1;
            }
            if n < step.min {
                return false;
            }
        }
        i == b.len()
    }
}

impl SimplePattern<OwnedSteps> {
    /// Reads `src` if it has the simple shape: an optional leading `^` and trailing `$`, then
    /// atoms — a class of ASCII bytes and ranges (`[a-z0-9_]`, no negation, no nesting, no set
    /// operations), an ASCII letter, digit, `_` or `-`, `\d`, or an escaped punctuation
    /// character — each with an optional greedy quantifier `+`, `*`, `?`, `{n}`, `{n,}` or
    /// `{n,m}`. `None` for anything else (groups, alternation, `.`, flags, lazy quantifiers,
    /// non-ASCII), which leaves the decision to the regular expression.
    pub fn parse(src: &str) -> Option<SimplePattern<OwnedSteps>> {
        if !src.is_ascii() {
            return None;
        }
        let b = src.as_bytes();
        let mut i = usize::from(b.first() == Some(&b'^'));
        let mut steps = Vec::new();
        while i < b.len() {
            let ranges = match b[i] {
                // `$` ends the pattern only as its last byte.
                b'$' if i + 1 == b.len() => break,
                b'[' => {
                    let end = i + 1 + b[i + 1..].iter().position(|&c| c == b']')?;
                    let ranges = class(&b[i + 1..end])?;
                    i = end + 1;
                    ranges
                }
                b'\\' => {
                    let r = escape(*b.get(i + 1)?)?;
                    i += 2;
                    vec![r]
                }
                c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                    i += 1;
                    vec![(c, c)]
                }
                _ => return None,
            };
            let (min, max, used) = quantifier(&b[i..])?;
            i += used;
            // Lazy (`+?`) and stacked (`a{2}{3}`, `a++`) forms are not the greedy walk.
            if matches!(b.get(i), Some(b'?' | b'+' | b'*' | b'{')) {
                return None;
            }
            steps.push(Step { ranges, min, max });
        }
        if steps.is_empty() {
            return None;
        }
        let exact = is_exact(&steps);
        Some(SimplePattern { steps, exact })
    }
}

/// The byte range of an escape the simple shape knows: `\d`, or a punctuation character that
/// stands for itself.
fn escape(c: u8) -> Option<(u8, u8)> {
    match c {
        b'd' => Some((b'0', b'9')),
        b'.' | b'-' | b'_' | b'+' | b'*' | b'?' | b'[' | b']' | b'{' | b'}' | b'(' | b')'
        | b'|' | b'^' | b'$' | b'\\' | b'/' => Some((c, c)),
        _ => None,
    }
}

/// The ranges of a class body (between `[` and the first `]`).
fn class(body: &[u8]) -> Option<Vec<(u8, u8)>> {
    // Negation, nested classes and the set operators `&&`, `--`, `~~` change what a class
    // means in ways the walk does not model.
    if body.is_empty()
        || body[0] == b'^'
        || body.contains(&b'[')
        || body.windows(2).any(|w| matches!(w, b"&&" | b"--" | b"~~"))
    {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let lo = match body[i] {
            b'\\' => {
                let (lo, hi) = escape(*body.get(i + 1)?)?;
                i += 2;
                if lo != hi {
                    out.push((lo, hi));
                    continue;
                }
                lo
            }
            c => {
                i += 1;
                c
            }
        };
        if body.get(i) == Some(&b'-') && i + 1 < body.len() {
            let hi = body[i + 1];
            if hi == b'\\' || hi < lo {
                return None;
            }
            out.push((lo, hi));
            i += 2;
        } else {
            out.push((lo, lo));
        }
    }
    Some(out)
}

/// `(min, max, bytes used)` of the quantifier at the start of `b` (none: exactly once).
fn quantifier(b: &[u8]) -> Option<(u32, u32, usize)> {
    Some(match b.first() {
        Some(b'+') => (1, UNBOUNDED, 1),
        Some(b'*') => (0, UNBOUNDED, 1),
        Some(b'?') => (0, 1, 1),
        Some(b'{') => {
            let end = b.iter().position(|&c| c == b'}')?;
            let body = std::str::from_utf8(&b[1..end]).ok()?;
            let count = |s: &str| -> Option<u32> {
                // Digits only (`parse` would take `+3`), and below the unbounded marker.
                if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                s.parse().ok().filter(|&n| n < UNBOUNDED)
            };
            let (min, max) = match body.split_once(',') {
                None => {
                    let n = count(body)?;
                    (n, n)
                }
                Some((lo, "")) => (count(lo)?, UNBOUNDED),
                Some((lo, hi)) => (count(lo)?, count(hi)?),
            };
            if max < min {
                return None;
            }
            (min, max, end + 1)
        }
        _ => (1, 1, 0),
    })
}

/// Whether the greedy walk of `steps` decides the pattern exactly, rejecting only what the
/// regular expression rejects too, so that no regular expression is needed.
///
/// It does when every step with a choice of length (`min < max`) shares no byte with the steps
/// that could take the byte right after it: the following ones up to and including the first
/// that must take at least one byte. Then in any match of the pattern that step takes the
/// whole run of its bytes (up to `max`): the first byte of the run it left would have to be
/// taken by one of those steps, which cannot take it. So the match is unique and is the one
/// the greedy walk finds. `[a-z][a-z0-9_]*`, `[A-Z0-9]+`, `[0-9]+\.[0-9]+` qualify;
/// `[a-z]*[a-z]` does not.
pub fn is_exact<R: AsRef<[(u8, u8)]>>(steps: &[Step<R>]) -> bool {
    steps.iter().enumerate().all(|(i, step)| {
        if !step.has_choice() {
            return true;
        }
        let later = &steps[i + 1..];
        let until = later
            .iter()
            .position(|s| s.min > 0)
            .map_or(later.len(), |p| p + 1);
        later[..until].iter().all(|l| step.disjoint(l))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::compile;
    use proptest::prelude::*;

    fn parse(src: &str) -> Option<SimplePattern<OwnedSteps>> {
        SimplePattern::parse(src)
    }

    #[test]
    fn reads_the_simple_shape_only() {
        for (src, simple) in [
            ("[a-z][a-z0-9_]*", true),
            ("[A-Z0-9]+", true),
            ("^v\\d{1,3}$", true),
            ("[a-f0-9]{8}", true),
            ("[a-z]+-[0-9]{2,}", true),
            ("a\\$", true),
            ("(a|b)", false),
            ("[^a]+", false),
            (".*", false),
            ("a+?", false),
            ("a{2}{3}", false),
            ("a{+2}", false),
            ("a{,2}", false),
            ("a{0,4294967295}", false),
            ("[[:alpha:]]", false),
            ("[a-z&&b]", false),
            ("a$b", false),
            ("a\\w", false),
            ("é", false),
            ("", false),
            ("^$", false),
        ] {
            assert_eq!(parse(src).is_some(), simple, "{src}");
        }
        // An escaped `$` at the end is a literal, not the end anchor.
        let p = parse("a\\$").unwrap();
        assert!(p.proves("a$") && !p.proves("a"));
    }

    /// Patterns [`is_exact`] judges, and whether it calls the walk exact.
    const EXACTNESS: &[(&str, bool)] = &[
        ("[a-z][a-z0-9_]*", true),
        ("[A-Z0-9]+", true),
        ("v\\d{1,3}", true),
        ("[a-f0-9]{8}", true),
        ("[a-z]+-[0-9]{2,}", true),
        ("[a-z]{2}[a-z]{3}", true),
        ("[0-9]+\\.[0-9]+", true),
        ("[a-z]*[a-z]", false),
        ("[a-z0-9]+[a-z]", false),
        ("[a-z]?a", false),
        ("[0-9]{1,3}[0-5]", false),
        ("[a-c]+[c-e]", false),
        ("[a-z]+[0-9]?[a-z]", false),
        ("[a-z]+[0-9][a-z]+", true),
    ];

    #[test]
    fn exact_only_without_overlap_after_a_choice() {
        for &(src, exact) in EXACTNESS {
            assert_eq!(parse(src).unwrap().exact, exact, "{src}");
        }
        // Greedy can be stricter than the regex (never looser): the regex then decides.
        assert!(!parse("[a-z]*[a-z]").unwrap().proves("ab"));
    }

    #[test]
    fn the_walk_works_on_static_tables_too() {
        const CODE: StaticPattern = SimplePattern {
            steps: &[
                Step {
                    ranges: &[(b'A', b'Z')],
                    min: 1,
                    max: 1,
                },
                Step {
                    ranges: &[(b'A', b'Z'), (b'0', b'9'), (b'_', b'_')],
                    min: 0,
                    max: UNBOUNDED,
                },
            ],
            exact: true,
        };
        let owned = parse("[A-Z][A-Z0-9_]*").unwrap();
        for v in ["RPC_TIMEOUT", "A", "", "a", "RPC-TIMEOUT", "1A", "ÄB"] {
            assert_eq!(CODE.proves(v), owned.proves(v), "{v}");
        }
        assert_eq!(is_exact(CODE.steps), owned.exact);
    }

    /// Checks the walk of `src` against the regular expression on `values`: never looser, and
    /// equal where the reader calls it exact.
    fn agrees(src: &str, values: &[String]) -> Result<(), TestCaseError> {
        let Some(simple) = parse(src) else {
            return Ok(());
        };
        let re = compile(src);
        prop_assert!(
            re.is_ok(),
            "{:?} reads as simple but is refused: {:?}",
            src,
            re
        );
        let re = re.unwrap();
        for v in values {
            let walk = simple.proves(v);
            if simple.exact {
                prop_assert_eq!(walk, re.is_match(v), "{} on {:?}", src, v);
            } else {
                prop_assert!(!walk || re.is_match(v), "{} on {:?}", src, v);
            }
        }
        Ok(())
    }

    /// Random simple patterns: classes and literals over a small alphabet with quantifiers.
    fn simple_source() -> impl Strategy<Value = String> {
        let atom = prop::sample::select(vec![
            "a", "b", "-", "[a-c]", "[b-d]", "[0-9]", "\\d", "[a-]", "[ab_]", "\\.", "[.x]",
        ]);
        let quant =
            prop::sample::select(vec!["", "", "+", "*", "?", "{2}", "{1,3}", "{0,}", "{2,}"]);
        prop::collection::vec((atom, quant), 1..5)
            .prop_map(|parts| parts.into_iter().map(|(a, q)| format!("{a}{q}")).collect())
    }

    proptest! {
        /// Generated simple patterns: all read as simple, and the walk agrees.
        #[test]
        fn the_walk_agrees_with_the_regex(
            src in simple_source(),
            values in prop::collection::vec("[a-d0-9._-]{0,7}", 1..16),
        ) {
            prop_assert!(parse(&src).is_some(), "{:?}", src);
            agrees(&src, &values)?;
        }

        /// Any string the reader accepts — an attacker's class bodies, escapes, anchors and
        /// quantifiers included — is a valid whole-value pattern whose walk agrees.
        #[test]
        fn whatever_reads_as_simple_agrees(
            src in "[\\^a-c0-9_\\-\\[\\]\\\\.{},+*?$&~/]{1,10}",
            values in prop::collection::vec("[a-d0-9._&~/$^\\-]{0,6}", 1..16),
        ) {
            agrees(&src, &values)?;
        }

        /// The fixed list, on values the generators above do not produce.
        #[test]
        fn known_patterns_agree(value in "[a-f0-9_.vA-C-]{0,12}") {
            for &(src, _) in EXACTNESS {
                agrees(src, std::slice::from_ref(&value))?;
            }
        }
    }
}
