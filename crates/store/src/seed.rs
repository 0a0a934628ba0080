//! Seed data shipped with the product: Fukushima Prefecture and its 59
//! municipalities (see seed/SOURCES.md). Loaded idempotently at every start.

use crate::{Result, Store, StoreError, now};
use kizuna_domain::LocalGovCode;

pub const MUNICIPALITIES_CSV: &str = include_str!("../seed/fukushima_municipalities.csv");
/// Municipality boundaries for the server-drawn map; show [`MAP_ATTRIBUTION`] with it.
pub const MUNICIPALITIES_GEOJSON: &str = include_str!("../seed/fukushima_municipalities.geojson");
pub const MAP_ATTRIBUTION: &str = "出典：気象庁ホームページ（https://www.jma.go.jp/bosai/common/const/geojson/landslides_2.json）を加工して作成";
pub const PREFECTURE_CODE: &str = "070009";

#[derive(Debug, serde::Deserialize)]
struct Row {
    code: String,
    name: String,
    name_kana: String,
    romaji: String,
    romaji_full: String,
    #[serde(rename = "type")]
    muni_type: String,
    district: String,
    region: String,
    office_name: String,
    office_postal: String,
    office_address: String,
    office_lat: Option<f64>,
    office_lon: Option<f64>,
    official_url: String,
}

fn rows() -> Result<Vec<Row>> {
    csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes())
        .deserialize()
        .collect::<Result<Vec<Row>, _>>()
        .map_err(|_| StoreError::Conflict("seed_csv_unreadable"))
}

fn blank_none(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

pub(crate) async fn load_municipalities(store: &Store) -> Result<()> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM municipalities")
        .fetch_one(store.pool())
        .await?;
    if count >= 59 {
        return Ok(());
    }
    let mut tx = store.begin_write().await?;
    let t = now();
    let prefecture_id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (kind, name, name_kana, name_en, local_gov_code, website, created_at, updated_at)
         VALUES ('prefecture', '福島県', 'ふくしまけん', 'Fukushima Prefecture', $1, 'https://www.pref.fukushima.lg.jp/', $2, $2)
         ON CONFLICT (local_gov_code) DO UPDATE SET name = excluded.name
         RETURNING id",
    )
    .bind(PREFECTURE_CODE)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    for row in rows()? {
        // The seed is facts; a bad code here is a packaging error, caught by tests.
        let code = LocalGovCode::parse(&row.code)?;
        let org_id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (kind, name, name_kana, name_en, local_gov_code, website, created_at, updated_at)
             VALUES ('municipality', $1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (local_gov_code) DO UPDATE SET name = excluded.name
             RETURNING id",
        )
        .bind(&row.name)
        .bind(&row.name_kana)
        .bind(&row.romaji_full)
        .bind(code.as_str())
        .bind(blank_none(&row.official_url))
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO municipalities (organisation_id, code, prefecture_id, name, name_kana, romaji,
                 muni_type, district, region, office_name, office_postal, office_address,
                 office_lat, office_lon, official_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(org_id)
        .bind(code.as_str())
        .bind(prefecture_id)
        .bind(&row.name)
        .bind(&row.name_kana)
        .bind(&row.romaji)
        .bind(&row.muni_type)
        .bind(blank_none(&row.district))
        .bind(&row.region)
        .bind(blank_none(&row.office_name))
        .bind(blank_none(&row.office_postal))
        .bind(blank_none(&row.office_address))
        .bind(row.office_lat)
        .bind(row.office_lon)
        .bind(blank_none(&row.official_url))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seed_has_59_valid_municipalities_in_7_regions() {
        let rows = super::rows().unwrap();
        assert_eq!(rows.len(), 59);
        for r in &rows {
            kizuna_domain::LocalGovCode::parse(&r.code).unwrap();
        }
        let mut regions: Vec<_> = rows.iter().map(|r| r.region.as_str()).collect();
        regions.sort();
        regions.dedup();
        assert_eq!(regions.len(), 7);
    }
}
