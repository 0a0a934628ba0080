//! How well similar-challenge suggestions find true duplicates, on
//! challenges written for this test (tests/data/similar_challenges.tsv):
//! pairs of the same problem told by two municipalities in their own words,
//! among unrelated challenges that share much of their vocabulary.

use kizuna_domain::challenge::similarity_text;
use kizuna_domain::similarity::SimilarityIndex;

struct Row {
    id: i64,
    pair: Option<u32>,
    text: String,
}

fn rows() -> Vec<Row> {
    include_str!("data/similar_challenges.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {line}", i + 2);
            Row {
                id: i as i64 + 1,
                pair: cols[0].parse().ok(),
                text: similarity_text(cols[1], &[cols[2]]),
            }
        })
        .collect()
}

fn index(rows: &[Row]) -> SimilarityIndex<()> {
    let mut index = SimilarityIndex::new();
    for r in rows {
        index.upsert(r.id, &r.text, ());
    }
    index
}

#[test]
fn the_true_duplicate_is_in_the_top_three_for_at_least_90_percent() {
    let rows = rows();
    let index = index(&rows);
    let paired: Vec<&Row> = rows.iter().filter(|r| r.pair.is_some()).collect();
    assert!(
        paired.len() >= 60,
        "the set holds {} paired challenges",
        paired.len()
    );
    let mut found = 0;
    let mut first = 0;
    for r in &paired {
        let twin = rows
            .iter()
            .find(|o| o.pair == r.pair && o.id != r.id)
            .unwrap();
        let hits = index.similar(&r.text, 3, 0.0, Some(r.id), |_| true);
        if hits.iter().any(|h| h.id == twin.id) {
            found += 1;
        } else {
            eprintln!(
                "missed pair {:?}: {}",
                r.pair,
                r.text.lines().next().unwrap_or("")
            );
        }
        if hits.first().is_some_and(|h| h.id == twin.id) {
            first += 1;
        }
    }
    let rate = f64::from(found) / paired.len() as f64;
    eprintln!(
        "similar challenges: true duplicate in the top 3 for {found}/{} ({:.1} %), first for {first}",
        paired.len(),
        rate * 100.0
    );
    assert!(rate >= 0.9, "top-3 rate {rate:.3}");
}

#[test]
fn a_draft_finds_its_duplicate_from_its_title_alone() {
    let rows = rows();
    let index = index(&rows);
    let hits = index.similar("会議室の予約を紙で管理", 3, 0.05, None, |_| true);
    let pair_of = |id: i64| rows.iter().find(|r| r.id == id).and_then(|r| r.pair);
    assert_eq!(pair_of(hits[0].id), Some(4), "{hits:?}");
}

#[test]
fn clusters_group_duplicates_and_leave_unrelated_challenges_out() {
    let rows = rows();
    let index = index(&rows);
    let clusters = index.clusters(0.12, |_| true);
    let pair_of = |id: i64| rows.iter().find(|r| r.id == id).and_then(|r| r.pair);
    let mut whole = 0;
    for c in &clusters {
        let pairs: std::collections::HashSet<Option<u32>> =
            c.iter().map(|id| pair_of(*id)).collect();
        if c.len() == 2 && pairs.len() == 1 && !pairs.contains(&None) {
            whole += 1;
        }
    }
    eprintln!(
        "clusters: {} groups, {whole} exactly one duplicate pair",
        clusters.len()
    );
    assert!(
        whole >= 24,
        "{whole} of 32 pairs form their own cluster: {clusters:?}"
    );
    let largest = clusters.first().map_or(0, Vec::len);
    assert!(
        largest <= 6,
        "no chain swallows the board: largest cluster {largest}"
    );

    // A third municipality with the council-minutes problem joins that pair.
    let mut index = index;
    index.upsert(
        1000,
        &similarity_text(
            "議会の議事録の作成を音声認識で効率化したい",
            &["本会議の録音を職員が聞きながら会議録を入力しており、文字起こしに毎回長い時間がかかっている。"],
        ),
        (),
    );
    let clusters = index.clusters(0.12, |_| true);
    let with_third = clusters.iter().find(|c| c.contains(&1000)).expect("joined");
    let pairs: Vec<Option<u32>> = with_third
        .iter()
        .filter(|id| **id != 1000)
        .map(|id| pair_of(*id))
        .collect();
    assert_eq!(pairs, vec![Some(3), Some(3)], "{with_third:?}");
}

#[test]
fn removing_and_replacing_texts_keeps_answers_right() {
    let mut index = SimilarityIndex::new();
    for i in 0..3000 {
        index.upsert(i, &format!("課題{i} 窓口の申請書 {}", i % 7), i);
    }
    index.upsert(5000, "議会の会議録を音声から文字起こし", 5000);
    for i in 0..2000 {
        index.remove(i);
    }
    assert_eq!(index.len(), 1001);
    let hits = index.similar("会議録の文字起こし", 1, 0.1, None, |_| true);
    assert_eq!(hits[0].id, 5000);
    index.upsert(5000, "公用車の運転日誌", 5000);
    assert!(
        index
            .similar("会議録の文字起こし", 1, 0.1, None, |_| true)
            .is_empty()
    );
    let hits = index.similar("窓口の申請書", 5, 0.0, None, |m| *m % 2 == 0);
    assert!(hits.iter().all(|h| h.meta % 2 == 0 && h.id >= 2000));
}

#[test]
fn search_finds_texts_holding_every_word() {
    let rows = rows();
    let index = index(&rows);
    let pair_of = |id: i64| rows.iter().find(|r| r.id == id).and_then(|r| r.pair);
    let hits = index.search("会議録", 10, |_| true);
    assert!(
        hits.len() >= 2 && hits.iter().all(|h| pair_of(h.id) == Some(3)),
        "{hits:?}"
    );
    let hits = index.search("ＬＧＷＡＮ 無害化", 10, |_| true);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(index.search("会議録 イノシシ", 10, |_| true).is_empty());
    assert!(index.search("存在しない言葉", 10, |_| true).is_empty());
    // One kanji is a word too.
    let hits = index.search("獣", 10, |_| true);
    assert_eq!(
        hits.iter().filter(|h| pair_of(h.id) == Some(29)).count(),
        2,
        "{hits:?}"
    );
}
