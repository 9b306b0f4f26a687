//! String-field patterns. One definition of how a `pattern` is matched, shared by the checker
//! and anyone testing values: it must match the whole value, so it is anchored here.

/// Compiles `pattern` so that it matches whole values only.
pub fn compile(pattern: &str) -> Result<regex_lite::Regex, regex_lite::Error> {
    regex_lite::Regex::new(&anchored(pattern))
}

/// The pattern wrapped to match the whole value, as emitted into JSON Schema (`^(?:p)$`).
pub fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}
