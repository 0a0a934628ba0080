//! Badges: recognition computed from a fan's ledger, never stored, so a
//! withdrawn or rejected entry takes its badge away again.

use std::collections::BTreeSet;

/// What the badge rules need to know about one counted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<'a> {
    pub kind: &'a str,
    /// `YYYY-MM-DD`
    pub occurred_on: &'a str,
    pub municipality_code: Option<&'a str>,
    /// The prefecture's region of that municipality (県北 …), when known.
    pub region: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// 初めての訪問
    FirstVisit,
    /// 10市町村を訪問
    TenMunicipalities,
    /// 7地方すべてを訪問
    AllRegions,
    /// 12か月連続で応援
    YearOfMonths,
    /// 県産品を10回購入
    TenPurchases,
    /// 10回発信
    TenPosts,
}

impl Badge {
    pub const ALL: [Badge; 6] = [
        Self::FirstVisit,
        Self::TenMunicipalities,
        Self::AllRegions,
        Self::YearOfMonths,
        Self::TenPurchases,
        Self::TenPosts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstVisit => "first_visit",
            Self::TenMunicipalities => "ten_municipalities",
            Self::AllRegions => "all_regions",
            Self::YearOfMonths => "year_of_months",
            Self::TenPurchases => "ten_purchases",
            Self::TenPosts => "ten_posts",
        }
    }
}

pub const REGION_COUNT: usize = 7;

/// Everything the badge rules look at, small enough to be computed by the
/// database (a fan with 1,000 entries has at most a few hundred months).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub visits: usize,
    pub municipalities_visited: usize,
    pub regions_visited: usize,
    /// Distinct months with an entry, `YYYY-MM` (or full dates).
    pub months: Vec<String>,
    pub purchases: usize,
    pub posts: usize,
}

impl Facts {
    pub fn from_entries(entries: &[Counted<'_>]) -> Self {
        let visits: Vec<&Counted> = entries.iter().filter(|e| e.kind == "visit").collect();
        let count = |kind: &str| entries.iter().filter(|e| e.kind == kind).count();
        Self {
            visits: visits.len(),
            municipalities_visited: visits
                .iter()
                .filter_map(|e| e.municipality_code)
                .collect::<BTreeSet<_>>()
                .len(),
            regions_visited: visits
                .iter()
                .filter_map(|e| e.region)
                .collect::<BTreeSet<_>>()
                .len(),
            months: entries.iter().map(|e| e.occurred_on.to_string()).collect(),
            purchases: count("purchase"),
            posts: count("post"),
        }
    }
}

/// The badges earned by a set of counted entries.
pub fn earned(entries: &[Counted<'_>]) -> Vec<Badge> {
    earned_from(&Facts::from_entries(entries))
}

/// The badges the facts earn.
pub fn earned_from(f: &Facts) -> Vec<Badge> {
    let mut out = Vec::new();
    if f.visits > 0 {
        out.push(Badge::FirstVisit);
    }
    if f.municipalities_visited >= 10 {
        out.push(Badge::TenMunicipalities);
    }
    if f.regions_visited >= REGION_COUNT {
        out.push(Badge::AllRegions);
    }
    if longest_monthly_streak(f.months.iter().map(String::as_str)) >= 12 {
        out.push(Badge::YearOfMonths);
    }
    if f.purchases >= 10 {
        out.push(Badge::TenPurchases);
    }
    if f.posts >= 10 {
        out.push(Badge::TenPosts);
    }
    out
}

/// The longest run of consecutive calendar months with at least one entry.
pub fn longest_monthly_streak<'a>(dates: impl Iterator<Item = &'a str>) -> usize {
    let months: BTreeSet<i64> = dates
        .filter_map(|d| {
            let y: i64 = d.get(0..4)?.parse().ok()?;
            let m: i64 = d.get(5..7)?.parse().ok()?;
            Some(y * 12 + (m - 1))
        })
        .collect();
    let (mut best, mut run, mut prev) = (0, 0, None);
    for m in months {
        run = if prev == Some(m - 1) { run + 1 } else { 1 };
        best = best.max(run);
        prev = Some(m);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn visit<'a>(code: &'a str, region: &'a str, on: &'a str) -> Counted<'a> {
        Counted {
            kind: "visit",
            occurred_on: on,
            municipality_code: Some(code),
            region: Some(region),
        }
    }

    #[test]
    fn visits_earn_their_badges() {
        assert!(earned(&[]).is_empty());
        let one = [visit("072010", "県北", "2026-01-05")];
        assert_eq!(earned(&one), vec![Badge::FirstVisit]);
        let regions = ["県北", "県中", "県南", "会津", "南会津", "相双", "いわき"];
        let codes = [
            "072010", "072036", "072052", "072028", "073628", "072125", "072044", "072133",
            "072079", "075213",
        ];
        let many: Vec<Counted> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| visit(c, regions[i % 7], "2026-01-05"))
            .collect();
        assert_eq!(
            earned(&many),
            vec![
                Badge::FirstVisit,
                Badge::TenMunicipalities,
                Badge::AllRegions
            ]
        );
    }

    #[test]
    fn the_same_municipality_twice_counts_once() {
        let twice: Vec<Counted> = (0..10)
            .map(|_| visit("072010", "県北", "2026-01-05"))
            .collect();
        assert_eq!(earned(&twice), vec![Badge::FirstVisit]);
    }

    #[test]
    fn a_monthly_streak_crosses_new_year() {
        let dates = [
            "2025-11-03",
            "2025-12-24",
            "2026-01-02",
            "2026-02-10",
            "2026-04-01",
        ];
        assert_eq!(longest_monthly_streak(dates.into_iter()), 4);
    }

    proptest! {
        #[test]
        fn twelve_consecutive_months_always_earn_the_year_badge(start_year in 2011i64..2030, start_month in 1i64..=12) {
            let dates: Vec<String> = (0..12).map(|i| {
                let m = start_year * 12 + start_month - 1 + i;
                format!("{:04}-{:02}-15", m / 12, m % 12 + 1)
            }).collect();
            let entries: Vec<Counted> = dates.iter().map(|d| Counted { kind: "post", occurred_on: d, municipality_code: None, region: None }).collect();
            prop_assert!(earned(&entries).contains(&Badge::YearOfMonths));
            // One month missing breaks it.
            let gap: Vec<Counted> = entries.iter().enumerate().filter(|(i, _)| *i != 6).map(|(_, e)| e.clone()).collect();
            prop_assert!(!earned(&gap).contains(&Badge::YearOfMonths));
        }

        #[test]
        fn badges_never_depend_on_entry_order(mut order in proptest::collection::vec(0usize..20, 20)) {
            let codes: Vec<String> = (0..20).map(|i| format!("07{:04}", i)).collect();
            let all: Vec<Counted> = codes.iter().map(|c| Counted { kind: "visit", occurred_on: "2026-01-01", municipality_code: Some(c), region: Some("県北") }).collect();
            order.dedup();
            let shuffled: Vec<Counted> = order.iter().map(|i| all[*i].clone()).collect();
            let mut sorted = shuffled.clone();
            sorted.sort_by_key(|e| e.municipality_code);
            prop_assert_eq!(earned(&shuffled), earned(&sorted));
        }
    }
}
