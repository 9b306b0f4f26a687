//! "Did you mean …?" for misspelt keys, classes, types and event names.

/// Levenshtein distance over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidates close enough to `input` to be a likely typo, closest first (at most three).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let len = input.chars().count();
    let limit = (len / 3).max(1) + 1;
    // The distance is at least the difference in length, and exactly that when one contains
    // the other: a value far longer than every candidate (a hostile megabyte key) costs a
    // length count, not a distance table.
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let c_len = c.chars().count();
            if input.len() >= 3 && c.contains(input) {
                Some((c_len - len, c))
            } else if len.abs_diff(c_len) <= limit {
                let d = distance(input, c);
                (d <= limit).then_some((d, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// `did you mean `x`?` or `did you mean one of `x`, `y`?`, or `None` when nothing is close.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let found = closest(input, candidates);
    match found.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => Some(format!(
            "did you mean one of {}?",
            many.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Lists choices as "`a`, `b` or `c`".
pub fn one_of<'a>(choices: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = choices.into_iter().map(|c| format!("`{c}`")).collect();
    match v.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("pi", ["technical", "interaction", "sensitive", "pii"]),
            vec!["pii"]
        );
        assert_eq!(
            closest("descripton", ["description", "purpose"]),
            vec!["description"]
        );
        assert!(closest("zzzzzz", ["description", "purpose"]).is_empty());
    }
}
