//! The k-anonymity floor: which cells of a table may be published.
//!
//! A table is a set of cells that add up to a total (an event's days add up to its count in
//! the period; a field's values, "not set" included, add up to the same count). A cell is
//! withheld when fewer than k contributors produced it (primary suppression). Because the total
//! is published, the withheld cells' sum can be worked out as the total minus the published
//! cells; so while the contributors of all withheld cells together are fewer than k, the
//! published non-zero cell with the fewest contributors is withheld too (complementary
//! suppression). What a reader can derive from a table is then: each published cell, the total,
//! and the sum of the withheld cells, each from at least k contributors.
//!
//! Cells of nobody (zero events) are published as 0: they describe no one.

use std::collections::HashSet;

/// The events of one cell and who produced them (interned contributor numbers).
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub count: u64,
    pub who: HashSet<u32>,
}

impl Tally {
    pub fn add(&mut self, contributor: u32) {
        self.count += 1;
        self.who.insert(contributor);
    }

    pub fn merge(&mut self, other: &Tally) {
        // Metric cells add up counts a client sent, which can be anything up to 2^64 − 1.
        self.count = self.count.saturating_add(other.count);
        self.who.extend(other.who.iter().copied());
    }
}

/// Why a cell is not shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Withheld {
    /// Fewer than k contributors produced it.
    FewerThanK,
    /// It has k or more, but publishing it with the total would reveal withheld cells.
    Complementary,
}

impl Withheld {
    pub fn as_str(self) -> &'static str {
        match self {
            Withheld::FewerThanK => "fewer_than_k",
            Withheld::Complementary => "complementary",
        }
    }
}

/// A published cell: its count, or why it is withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Shown(u64),
    Hidden(Withheld),
}

impl Cell {
    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Hidden(_) => None,
        }
    }
}

/// Applies the floor to one table whose `cells` add up to `total` (the caller guarantees it:
/// every event is in exactly one cell). Returns the total's cell and each cell's.
pub fn apply(k: u32, total: &Tally, cells: &[Tally]) -> (Cell, Vec<Cell>) {
    let k = k as usize;
    let below = |t: &Tally| t.count > 0 && t.who.len() < k;
    let total_cell = if below(total) {
        Cell::Hidden(Withheld::FewerThanK)
    } else {
        Cell::Shown(total.count)
    };
    let mut out: Vec<Cell> = cells
        .iter()
        .map(|c| {
            if below(c) {
                Cell::Hidden(Withheld::FewerThanK)
            } else {
                Cell::Shown(c.count)
            }
        })
        .collect();
    if matches!(total_cell, Cell::Hidden(_)) {
        // Every cell is a part of a total under k, so every non-zero cell is under k too; this
        // only makes that explicit against a caller whose cells do not add up.
        for (c, t) in out.iter_mut().zip(cells) {
            if t.count > 0 {
                *c = Cell::Hidden(Withheld::FewerThanK);
            }
        }
        return (total_cell, out);
    }
    let mut hidden: HashSet<u32> = HashSet::new();
    let mut any_hidden = false;
    for (c, t) in out.iter().zip(cells) {
        if matches!(c, Cell::Hidden(_)) {
            any_hidden = true;
            hidden.extend(t.who.iter().copied());
        }
    }
    while any_hidden && hidden.len() < k {
        // The published non-zero cell with the fewest contributors (then the fewest events,
        // then the first): it costs the reader least to lose.
        let next = out
            .iter()
            .zip(cells)
            .enumerate()
            .filter(|(_, (c, t))| matches!(c, Cell::Shown(_)) && t.count > 0)
            .min_by_key(|(i, (_, t))| (t.who.len(), t.count, *i))
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        out[i] = Cell::Hidden(Withheld::Complementary);
        hidden.extend(cells[i].who.iter().copied());
    }
    (total_cell, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(count: u64, who: &[u32]) -> Tally {
        Tally {
            count,
            who: who.iter().copied().collect(),
        }
    }

    fn total(cells: &[Tally]) -> Tally {
        let mut t = Tally::default();
        for c in cells {
            t.merge(c);
        }
        t
    }

    #[test]
    fn a_lone_small_cell_takes_the_smallest_other_with_it() {
        let cells = [
            tally(40, &[1, 2, 3, 4, 5, 6]),
            tally(3, &[7]),
            tally(9, &[8, 9, 10, 11, 12]),
        ];
        let (t, c) = apply(5, &total(&cells), &cells);
        assert_eq!(t, Cell::Shown(52));
        assert_eq!(
            c,
            [
                Cell::Shown(40),
                Cell::Hidden(Withheld::FewerThanK),
                Cell::Hidden(Withheld::Complementary)
            ]
        );
    }

    #[test]
    fn two_small_cells_of_the_same_person_are_not_enough_together() {
        // Withheld days of one person: their sum (total minus the rest) would describe them.
        let cells = [
            tally(2, &[1]),
            tally(4, &[1]),
            tally(50, &[2, 3, 4, 5, 6, 7]),
            tally(60, &[2, 3, 4, 5, 6, 8, 9]),
        ];
        let (_, c) = apply(5, &total(&cells), &cells);
        assert_eq!(c[2], Cell::Hidden(Withheld::Complementary));
        assert_eq!(c[3], Cell::Shown(60));
    }

    #[test]
    fn zero_cells_stay_published_and_are_never_complements() {
        let cells = [tally(0, &[]), tally(2, &[1]), tally(30, &[2, 3, 4, 5, 6])];
        let (_, c) = apply(5, &total(&cells), &cells);
        assert_eq!(c[0], Cell::Shown(0));
        assert_eq!(c[2], Cell::Hidden(Withheld::Complementary));
    }

    #[test]
    fn a_total_under_k_hides_everything_but_zeros() {
        let cells = [tally(10, &[1, 2]), tally(0, &[]), tally(7, &[3])];
        let (t, c) = apply(5, &total(&cells), &cells);
        assert_eq!(t, Cell::Hidden(Withheld::FewerThanK));
        assert_eq!(
            c,
            [
                Cell::Hidden(Withheld::FewerThanK),
                Cell::Shown(0),
                Cell::Hidden(Withheld::FewerThanK)
            ]
        );
    }
}
