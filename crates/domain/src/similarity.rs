//! Similar texts in Japanese without a dictionary: each text becomes a
//! vector of character bigrams (and single kanji, and whole Latin words),
//! weighted by TF-IDF, and texts are compared by cosine. An inverted index
//! answers "which stored texts look like this one" by walking only the
//! postings of the query's terms.
//!
//! Why n-grams: Japanese has no spaces, and a morphological analyser needs
//! a dictionary we may not download. Bigrams catch 申請書 / 申請 / 電子申請
//! alike; single kanji keep some weight for two-character words split by
//! a different neighbour; Latin words (LGWAN, RPA) stay whole.

use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// The terms of `text` with their counts.
pub fn terms(text: &str) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for run in runs(text) {
        let run = run.as_str();
        if run.is_ascii() {
            *out.entry(run.to_string()).or_default() += 1;
            continue;
        }
        let chars: Vec<char> = run.chars().collect();
        for w in chars.windows(2) {
            *out.entry(w.iter().collect()).or_default() += 1;
        }
        for c in chars.iter().filter(|c| is_kanji(**c)) {
            *out.entry(format!("\u{1}{c}")).or_default() += 1;
        }
        if chars.len() == 1 {
            *out.entry(run.to_string()).or_default() += 1;
        }
    }
    out
}

/// Runs of letters and digits of the normalised text (NFKC, lower case),
/// split where Latin letters meet Japanese (LGWAN端末 → lgwan, 端末).
fn runs(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    let mut out = Vec::new();
    for run in norm
        .split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
    {
        let mut cur = String::new();
        for c in run.chars() {
            if cur
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii() != c.is_ascii())
            {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        out.push(cur);
    }
    out
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Single kanji weigh less than pairs: they match more by chance; pairs of
/// hiragana are mostly grammar (して, いる) and weigh least.
fn term_boost(term: &str) -> f32 {
    if term.starts_with('\u{1}') {
        0.5
    } else if term.chars().all(|c| ('\u{3041}'..='\u{309F}').contains(&c)) {
        0.2
    } else {
        1.0
    }
}

/// The `n` touched slots with the highest partial scores that `admissible`
/// accepts, best first. Selects in linear time (a board's common terms
/// touch tens of thousands of texts; sorting them all cost more than the
/// rest of a query); looks further only when too few of the best are
/// admissible.
fn strongest(
    touched: &[u32],
    scores: &[f32],
    n: usize,
    admissible: impl Fn(u32) -> bool,
) -> Vec<(f32, u32)> {
    let mut all: Vec<(f32, u32)> = touched.iter().map(|s| (scores[*s as usize], *s)).collect();
    let by_score = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let mut want = (n * 4).max(1);
    loop {
        if want >= all.len() {
            all.retain(|(_, s)| admissible(*s));
            all.sort_by(by_score);
            all.truncate(n);
            return all;
        }
        let mut head = all.clone();
        head.select_nth_unstable_by(want - 1, by_score);
        head.truncate(want);
        head.retain(|(_, s)| admissible(*s));
        if head.len() >= n {
            head.sort_by(by_score);
            head.truncate(n);
            return head;
        }
        want *= 4;
    }
}

/// Candidates for a long draft come from its this many heaviest terms…
const HEAVY_TERMS: usize = 24;
/// …and this many of the best are compared exactly.
const RESCORED: usize = 64;

struct Doc<M> {
    id: i64,
    meta: M,
    /// (term, log-scaled count)
    terms: Vec<(u32, f32)>,
    /// The TF-IDF vector's length, with the term statistics of the last
    /// [`SimilarityIndex::renorm`] (computing it per query cost 200 ms at
    /// 100,000 texts).
    norm: f32,
}

/// One stored text found for a query, with its cosine similarity (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<M> {
    pub id: i64,
    pub score: f32,
    pub meta: M,
}

/// An in-memory inverted index of texts, each with an id and some `M`
/// (what a caller filters on). Replacing or removing a text leaves a
/// tombstone in the postings; the index compacts itself when a fifth of
/// its slots are dead.
pub struct SimilarityIndex<M> {
    term_ids: HashMap<String, u32>,
    /// Per term: (slot, log-scaled count) of every text holding it.
    postings: Vec<Vec<(u32, f32)>>,
    /// Per term: how many live texts hold it.
    df: Vec<u32>,
    slots: Vec<Option<Doc<M>>>,
    slot_of: HashMap<i64, u32>,
    dead: usize,
    /// How many texts there were when the norms were last computed; they
    /// are computed again when that number has changed by a quarter, so
    /// the cost is amortised and norms stay close to the statistics.
    norm_n: usize,
}

impl<M: Clone> Default for SimilarityIndex<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Clone> SimilarityIndex<M> {
    pub fn new() -> Self {
        Self {
            term_ids: HashMap::new(),
            postings: Vec::new(),
            df: Vec::new(),
            slots: Vec::new(),
            slot_of: HashMap::new(),
            dead: 0,
            norm_n: 0,
        }
    }

    /// A term's inverse document frequency with the current statistics.
    fn idf(&self, t: u32) -> f32 {
        (1.0 + self.len().max(1) as f32 / self.df[t as usize].max(1) as f32).ln()
    }

    /// A term's weight in a text where it occurs `count` times.
    fn tf(count: u32, term: &str) -> f32 {
        (1.0 + (count as f32).ln()) * term_boost(term)
    }

    /// Live texts.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.slot_of.contains_key(&id)
    }

    /// Adds `id`'s text, replacing what it held before.
    pub fn upsert(&mut self, id: i64, text: &str, meta: M) {
        self.remove(id);
        let slot = self.slots.len() as u32;
        let mut doc_terms = Vec::new();
        for (term, count) in terms(text) {
            let tf = Self::tf(count, &term);
            let t = match self.term_ids.get(&term) {
                Some(t) => *t,
                None => {
                    let t = self.postings.len() as u32;
                    self.term_ids.insert(term, t);
                    self.postings.push(Vec::new());
                    self.df.push(0);
                    t
                }
            };
            self.postings[t as usize].push((slot, tf));
            self.df[t as usize] += 1;
            doc_terms.push((t, tf));
        }
        // Sorted by term, so two texts' vectors meet in one merge (`dot`).
        doc_terms.sort_unstable_by_key(|(t, _)| *t);
        let mut doc = Doc {
            id,
            meta,
            terms: doc_terms,
            norm: 0.0,
        };
        doc.norm = self.doc_norm(&doc);
        self.slots.push(Some(doc));
        self.slot_of.insert(id, slot);
        self.renorm_if_drifted();
    }

    /// Recomputes every norm when the number of texts has moved by more
    /// than a quarter since the last time.
    fn renorm_if_drifted(&mut self) {
        let (n, m) = (self.len(), self.norm_n);
        if n * 4 > m * 5 || n * 5 < m * 4 {
            self.renorm();
        }
    }

    fn renorm(&mut self) {
        let norms: Vec<Option<f32>> = self
            .slots
            .iter()
            .map(|d| d.as_ref().map(|d| self.doc_norm(d)))
            .collect();
        for (d, n) in self.slots.iter_mut().zip(norms) {
            if let (Some(d), Some(n)) = (d.as_mut(), n) {
                d.norm = n;
            }
        }
        self.norm_n = self.len();
    }

    /// Removes `id`'s text, if stored.
    pub fn remove(&mut self, id: i64) {
        let Some(slot) = self.slot_of.remove(&id) else {
            return;
        };
        if let Some(doc) = self.slots[slot as usize].take() {
            for (t, _) in doc.terms {
                self.df[t as usize] -= 1;
            }
        }
        self.dead += 1;
        if self.dead > 1000 && self.dead * 5 > self.slots.len() {
            self.compact();
        }
        self.renorm_if_drifted();
    }

    /// Rebuilds the postings without dead slots.
    fn compact(&mut self) {
        let live: Vec<Doc<M>> = self.slots.drain(..).flatten().collect();
        self.slot_of.clear();
        for p in &mut self.postings {
            p.clear();
        }
        for doc in live {
            let slot = self.slots.len() as u32;
            for (t, tf) in &doc.terms {
                self.postings[*t as usize].push((slot, *tf));
            }
            self.slot_of.insert(doc.id, slot);
            self.slots.push(Some(doc));
        }
        self.dead = 0;
    }

    /// The `k` stored texts most like `text` that `keep` accepts (and not
    /// `except`), best first, each scoring at least `min_score`.
    pub fn similar(
        &self,
        text: &str,
        k: usize,
        min_score: f32,
        except: Option<i64>,
        keep: impl Fn(&M) -> bool,
    ) -> Vec<Hit<M>> {
        let query: Vec<(u32, f32)> = terms(text)
            .into_iter()
            .filter_map(|(term, count)| {
                let t = *self.term_ids.get(&term)?;
                Some((t, Self::tf(count, &term)))
            })
            .collect();
        self.similar_terms(&query, k, min_score, except, keep)
    }

    fn similar_terms(
        &self,
        query: &[(u32, f32)],
        k: usize,
        min_score: f32,
        except: Option<i64>,
        keep: impl Fn(&M) -> bool,
    ) -> Vec<Hit<M>> {
        if query.is_empty() || self.is_empty() {
            return Vec::new();
        }
        let n = self.len() as f32;
        // (weight, term, count) of the query's known terms, heaviest first.
        let mut weighted: Vec<(f32, u32, f32)> = query
            .iter()
            .filter(|(t, _)| self.df[*t as usize] > 0)
            .map(|(t, qtf)| (qtf * self.idf(*t), *t, *qtf))
            .collect();
        let q_norm = weighted.iter().map(|(w, ..)| w * w).sum::<f32>().sqrt();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Long drafts: candidates come from their most telling terms (short
        // postings), and the best of them are then compared exactly.
        let pruned = weighted.len() > HEAVY_TERMS;
        let mut scores = vec![0.0f32; self.slots.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (w, t, _) in weighted.iter().take(HEAVY_TERMS) {
            // Terms in most texts say little and cost the most to walk.
            if self.df[*t as usize] as f32 > n * 0.25 && n > 50.0 {
                continue;
            }
            let w = w * self.idf(*t);
            for (slot, dtf) in &self.postings[*t as usize] {
                let s = &mut scores[*slot as usize];
                if *s == 0.0 {
                    touched.push(*slot);
                }
                *s += w * dtf;
            }
        }
        let admissible = |slot: u32| {
            self.slots[slot as usize]
                .as_ref()
                .is_some_and(|doc| Some(doc.id) != except && keep(&doc.meta))
        };
        let mut candidates: Vec<(f32, u32)> = if pruned {
            // Only the best few are compared exactly: pick them without
            // sorting every text the heavy terms touched.
            strongest(&touched, &scores, RESCORED.max(k), admissible)
        } else {
            touched
                .into_iter()
                .filter(|s| admissible(*s))
                .map(|s| (scores[s as usize], s))
                .collect()
        };
        if pruned {
            let mut sorted: Vec<(u32, f32)> = weighted.iter().map(|(_, t, q)| (*t, *q)).collect();
            sorted.sort_unstable_by_key(|(t, _)| *t);
            for c in &mut candidates {
                if let Some(doc) = self.slots[c.1 as usize].as_ref() {
                    c.0 = self.dot_terms(&sorted, &doc.terms);
                }
            }
        }
        let mut best: Vec<(f32, u32)> = candidates
            .into_iter()
            .filter_map(|(dot, slot)| {
                let doc = self.slots[slot as usize].as_ref()?;
                let score = dot / (q_norm * doc.norm).max(f32::EPSILON);
                (score >= min_score).then_some((score, slot))
            })
            .collect();
        self.top(&mut best, k)
    }

    /// The `k` best of (score, slot) as hits, best first (ties: lower id).
    fn top(&self, best: &mut Vec<(f32, u32)>, k: usize) -> Vec<Hit<M>> {
        let id = |slot: u32| self.slots[slot as usize].as_ref().map_or(0, |d| d.id);
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(id(a.1).cmp(&id(b.1))));
        best.truncate(k);
        best.iter()
            .filter_map(|(score, slot)| {
                let doc = self.slots[*slot as usize].as_ref()?;
                Some(Hit {
                    id: doc.id,
                    score: score.min(1.0),
                    meta: doc.meta.clone(),
                })
            })
            .collect()
    }

    fn doc_norm(&self, doc: &Doc<M>) -> f32 {
        doc.terms
            .iter()
            .map(|(t, tf)| {
                let idf = self.idf(*t);
                (tf * idf).powi(2)
            })
            .sum::<f32>()
            .sqrt()
    }

    /// What is kept beside stored text `id`.
    pub fn meta(&self, id: i64) -> Option<&M> {
        let slot = self.slot_of.get(&id)?;
        self.slots[*slot as usize].as_ref().map(|d| &d.meta)
    }

    /// Search: the stored texts (that `keep` accepts) holding every word of
    /// `query` — every character pair of it, or a single kanji, or a whole
    /// Latin word — best match first, at most `k`.
    pub fn search(&self, query: &str, k: usize, keep: impl Fn(&M) -> bool) -> Vec<Hit<M>> {
        let mut required: Vec<u32> = Vec::new();
        for run in runs(query) {
            let run = run.as_str();
            let chars: Vec<char> = run.chars().collect();
            let needed: Vec<String> = if run.is_ascii() {
                vec![run.to_string()]
            } else if chars.len() == 1 {
                let c = chars[0];
                vec![if is_kanji(c) {
                    format!("\u{1}{c}")
                } else {
                    c.to_string()
                }]
            } else {
                chars.windows(2).map(|w| w.iter().collect()).collect()
            };
            for term in needed {
                match self.term_ids.get(&term) {
                    Some(t) => required.push(*t),
                    None => return Vec::new(),
                }
            }
        }
        required.sort_by_key(|t| self.df[*t as usize]);
        required.dedup();
        let Some((rarest, rest)) = required.split_first() else {
            return Vec::new();
        };
        // Candidates hold the rarest term; each other term must be found too.
        let mut found: HashMap<u32, (usize, f32)> = self.postings[*rarest as usize]
            .iter()
            .filter(|(slot, _)| self.slots[*slot as usize].is_some())
            .map(|(slot, tf)| (*slot, (1, tf * self.idf(*rarest))))
            .collect();
        for t in rest {
            let w = self.idf(*t);
            for (slot, tf) in &self.postings[*t as usize] {
                if let Some(e) = found.get_mut(slot) {
                    e.0 += 1;
                    e.1 += tf * w;
                }
            }
        }
        let mut best: Vec<(f32, u32)> = found
            .into_iter()
            .filter(|(_, (count, _))| *count == required.len())
            .filter_map(|(slot, (_, dot))| {
                let doc = self.slots[slot as usize].as_ref()?;
                keep(&doc.meta).then_some((dot / doc.norm.max(f32::EPSILON), slot))
            })
            .collect();
        self.top(&mut best, k)
    }

    /// The texts like stored text `id`.
    pub fn similar_to(
        &self,
        id: i64,
        k: usize,
        min_score: f32,
        keep: impl Fn(&M) -> bool,
    ) -> Vec<Hit<M>> {
        let Some(doc) = self
            .slot_of
            .get(&id)
            .and_then(|s| self.slots[*s as usize].as_ref())
        else {
            return Vec::new();
        };
        self.similar_terms(&doc.terms, k, min_score, Some(id), keep)
    }

    /// A stored text's nearest neighbour at `threshold` or above, found
    /// fast enough to ask for every text of a board: candidates come from
    /// the text's most telling terms only (its 24 heaviest by TF-IDF, whose
    /// postings are short), and the best 12 of them are then compared
    /// exactly. `scratch` is a zeroed buffer of one cell per slot, left zeroed.
    fn nearest(
        &self,
        doc: &Doc<M>,
        threshold: f32,
        keep: &impl Fn(&M) -> bool,
        scratch: &mut [f32],
    ) -> Vec<Hit<M>> {
        let mut heavy: Vec<(f32, u32)> = doc
            .terms
            .iter()
            .map(|(t, tf)| (tf * self.idf(*t), *t))
            .collect();
        heavy.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut touched: Vec<u32> = Vec::new();
        for (w, t) in heavy.iter().take(24) {
            let w = w * self.idf(*t);
            for (slot, dtf) in &self.postings[*t as usize] {
                let cell = &mut scratch[*slot as usize];
                if *cell == 0.0 {
                    touched.push(*slot);
                }
                *cell += w * dtf;
            }
        }
        let candidates = strongest(&touched, scratch, 12, |slot| {
            self.slots[slot as usize]
                .as_ref()
                .is_some_and(|other| other.id != doc.id && keep(&other.meta))
        });
        for s in &touched {
            scratch[*s as usize] = 0.0;
        }
        let mut best: Vec<(f32, u32)> = candidates
            .into_iter()
            .filter_map(|(_, slot)| {
                let other = self.slots[slot as usize].as_ref()?;
                let score = self.dot(doc, other) / (doc.norm * other.norm).max(f32::EPSILON);
                (score >= threshold).then_some((score, slot))
            })
            .collect();
        self.top(&mut best, 1)
    }

    /// The TF-IDF dot product of two stored texts (their terms are sorted).
    fn dot(&self, a: &Doc<M>, b: &Doc<M>) -> f32 {
        self.dot_terms(&a.terms, &b.terms)
    }

    /// The TF-IDF dot product of two term vectors sorted by term.
    fn dot_terms(&self, a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
        while i < a.len() && j < b.len() {
            let (ta, fa) = a[i];
            let (tb, fb) = b[j];
            match ta.cmp(&tb) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let idf = self.idf(ta);
                    sum += fa * fb * idf * idf;
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    /// Groups of alike texts (among those `keep` accepts), largest first;
    /// texts alike to none are left out. A text links to its nearest one
    /// (at `threshold` or above) when that one's nearest is the text itself
    /// (mutual neighbours), or is no more alike to it than it is to the text
    /// (so a third municipality's twin joins a pair); groups are the linked
    /// components. Mutual nearness keeps a text that is a little like
    /// everything from chaining unrelated challenges together.
    pub fn clusters(&self, threshold: f32, keep: impl Fn(&M) -> bool) -> Vec<Vec<i64>> {
        let mut scratch = vec![0.0f32; self.slots.len()];
        let near: HashMap<i64, Vec<Hit<M>>> = self
            .slots
            .iter()
            .flatten()
            .filter(|d| keep(&d.meta))
            .map(|d| (d.id, self.nearest(d, threshold, &keep, &mut scratch)))
            .collect();
        let mut parent: HashMap<i64, i64> = near.keys().map(|id| (*id, *id)).collect();
        fn root(parent: &mut HashMap<i64, i64>, mut x: i64) -> i64 {
            while parent[&x] != x {
                let up = parent[&parent[&x]];
                parent.insert(x, up);
                x = up;
            }
            x
        }
        for (id, hits) in &near {
            for hit in hits {
                let linked = near
                    .get(&hit.id)
                    .and_then(|b| b.first())
                    .is_some_and(|back| back.id == *id || hit.score >= back.score * 0.7);
                if linked {
                    let (a, b) = (root(&mut parent, *id), root(&mut parent, hit.id));
                    if a != b {
                        parent.insert(a.max(b), a.min(b));
                    }
                }
            }
        }
        let mut groups: HashMap<i64, Vec<i64>> = HashMap::new();
        for id in near.keys() {
            let r = root(&mut parent, *id);
            groups.entry(r).or_default().push(*id);
        }
        let mut out: Vec<Vec<i64>> = groups.into_values().filter(|g| g.len() > 1).collect();
        for g in &mut out {
            g.sort_unstable();
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        out
    }
}
