//! Synthetic challenges for benchmarks: each is one of the hand-written
//! challenges of the similarity test set (crates/domain/tests/data),
//! retold with a municipality's name, a sentence from another challenge and
//! some everyday detail, so no two texts are the same and the vocabulary is
//! the board's own.

/// A challenge's title and description.
pub struct Synthetic {
    pub title: String,
    pub description: String,
    pub category: &'static str,
    pub burden_hours: i64,
}

const SEEDS: &str = include_str!("../../../crates/domain/tests/data/similar_challenges.tsv");

const DETAILS: [&str; 12] = [
    "特に年度末の繁忙期は残業が続いている。",
    "担当は職員3名で、ほかの業務と兼務している。",
    "住民からの苦情も年々増えている。",
    "紙の書類は倉庫に保管しており、探すのにも時間がかかる。",
    "近隣の町とも同じ悩みを話し合ったことがある。",
    "来年度の予算要求に向けて方法を検討したい。",
    "会計年度任用職員の確保も難しくなっている。",
    "震災以降、業務量が増えたまま減っていない。",
    "高齢の住民も多く、デジタル化には配慮が必要。",
    "LGWAN端末でしか扱えないデータが含まれる。",
    "引き継ぎの資料がなく、担当が替わるたびに混乱する。",
    "似た仕組みを入れた自治体の事例を知りたい。",
];

use kizuna_domain::challenge::DX_CATEGORIES as CATEGORIES;

/// A small deterministic generator (xorshift), so every run builds the same data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The hand-written challenges: (title, description).
pub fn seeds() -> Vec<(&'static str, &'static str)> {
    SEEDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t').skip(1);
            Some((cols.next()?, cols.next()?))
        })
        .collect()
}

/// `n` challenges, the i-th told by `places[i % len]`.
pub fn synthetic(n: usize, places: &[&str], seed: u64) -> Vec<Synthetic> {
    let seeds = seeds();
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let (title, description) = seeds[rng.below(seeds.len())];
            let (_, other) = seeds[rng.below(seeds.len())];
            let aside = other.split('。').next().unwrap_or("");
            let place = places[i % places.len().max(1)];
            Synthetic {
                title: format!("{title}（{place}）"),
                description: format!(
                    "{place}では、{description}{aside}。{}{}",
                    DETAILS[rng.below(DETAILS.len())],
                    DETAILS[rng.below(DETAILS.len())]
                ),
                category: CATEGORIES[rng.below(CATEGORIES.len())],
                burden_hours: 5 + rng.below(200) as i64,
            }
        })
        .collect()
}

/// Drafts people might type, for the suggestion benchmarks.
pub fn drafts() -> Vec<String> {
    seeds()
        .iter()
        .map(|(title, description)| {
            let first = description.split('。').next().unwrap_or("");
            format!("{title}\n{first}")
        })
        .collect()
}
