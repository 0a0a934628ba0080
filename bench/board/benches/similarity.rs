//! Criterion benches of the similarity index (kizuna_domain::similarity),
//! the code behind the board's suggestions, search and clusters:
//! - suggestions for a draft with 100,000 challenges indexed;
//! - clustering 10,000 challenges (issue figure: under 2 s);
//! - building the index of 10,000 challenges (what a process does once).
//!
//! Run: cargo bench -p kizuna-bench-board

use criterion::{Criterion, criterion_group, criterion_main};
use kizuna_bench_board::{drafts, synthetic};
use kizuna_domain::challenge::similarity_text;
use kizuna_domain::similarity::SimilarityIndex;
use std::hint::black_box;

const PLACES: [&str; 8] = [
    "福島市",
    "会津若松市",
    "郡山市",
    "いわき市",
    "白河市",
    "須賀川市",
    "喜多方市",
    "相馬市",
];

fn index(n: usize) -> SimilarityIndex<u8> {
    let mut idx = SimilarityIndex::new();
    for (i, c) in synthetic(n, &PLACES, 7).iter().enumerate() {
        idx.upsert(
            i as i64,
            &similarity_text(&c.title, &[&c.description]),
            (i % 3) as u8,
        );
    }
    idx
}

fn benches(c: &mut Criterion) {
    let big = index(100_000);
    let drafts = drafts();
    let mut i = 0;
    c.bench_function("similar: a draft against 100,000 challenges", |b| {
        b.iter(|| {
            i = (i + 1) % drafts.len();
            black_box(big.similar(&drafts[i], 5, 0.08, None, |m| *m != 9))
        })
    });
    c.bench_function("search: two words in 100,000 challenges", |b| {
        b.iter(|| black_box(big.search("窓口 申請書", 31, |_| true)))
    });
    drop(big);
    let ten = index(10_000);
    let mut g = c.benchmark_group("clusters");
    g.sample_size(10);
    g.bench_function("clusters of 10,000 challenges", |b| {
        b.iter(|| black_box(ten.clusters(0.12, |_| true)))
    });
    g.bench_function("index 10,000 challenges", |b| {
        b.iter(|| black_box(index(10_000).len()))
    });
    g.finish();
}

criterion_group!(board, benches);
criterion_main!(board);
