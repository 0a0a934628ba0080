//! The municipalities (市町村): public facts, readable by everyone.

use crate::{Result, Store};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Municipality {
    pub organisation_id: i64,
    pub code: String,
    pub name: String,
    pub name_kana: String,
    pub romaji: String,
    pub muni_type: String,
    pub district: Option<String>,
    pub region: String,
    pub office_name: Option<String>,
    pub office_postal: Option<String>,
    pub office_address: Option<String>,
    pub office_lat: Option<f64>,
    pub office_lon: Option<f64>,
    pub official_url: Option<String>,
}

/// The prefecture's seven areas, in the order the prefecture lists them.
pub const REGIONS: [&str; 7] = ["県北", "県中", "県南", "会津", "南会津", "相双", "いわき"];

const COLUMNS: &str = "organisation_id, code, name, name_kana, romaji, muni_type, district, region,
     office_name, office_postal, office_address, office_lat, office_lon, official_url";

impl Store {
    /// All municipalities in code order (the order of the official list).
    pub async fn municipalities(&self) -> Result<Vec<Municipality>> {
        let sql = format!("SELECT {COLUMNS} FROM municipalities ORDER BY code");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn municipality_by_code(&self, code: &str) -> Result<Option<Municipality>> {
        let sql = format!("SELECT {COLUMNS} FROM municipalities WHERE code = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(self.pool())
            .await?)
    }
}

/// Groups municipalities by region, in the prefecture's region order.
pub fn by_region(list: &[Municipality]) -> Vec<(&'static str, Vec<&Municipality>)> {
    REGIONS
        .iter()
        .map(|r| (*r, list.iter().filter(|m| m.region == *r).collect()))
        .collect()
}
