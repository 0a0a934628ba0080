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

/// The municipalities, read once per process. They are seed data: only the
/// seed loader at start-up writes the table, so every process holds the same
/// copy. (A feature that edits them must add invalidation — e.g. a change
/// table — before writing.) Reading 59 rows × 14 columns through the Any
/// driver took ~0.5 ms a request; the list page is among the busiest.
pub(crate) type MunicipalityCache =
    std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<Vec<Municipality>>>>;

impl Store {
    /// All municipalities in code order (the order of the official list).
    pub async fn municipalities(&self) -> Result<std::sync::Arc<Vec<Municipality>>> {
        let list = self
            .municipality_cache
            .get_or_try_init(|| async {
                let sql = format!("SELECT {COLUMNS} FROM municipalities ORDER BY code");
                let rows: Vec<Municipality> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(self.pool())
                    .await?;
                Ok::<_, crate::StoreError>(std::sync::Arc::new(rows))
            })
            .await?;
        Ok(list.clone())
    }

    pub async fn municipality_by_code(&self, code: &str) -> Result<Option<Municipality>> {
        Ok(self
            .municipalities()
            .await?
            .iter()
            .find(|m| m.code == code)
            .cloned())
    }
}

/// Groups municipalities by region, in the prefecture's region order.
pub fn by_region(list: &[Municipality]) -> Vec<(&'static str, Vec<&Municipality>)> {
    REGIONS
        .iter()
        .map(|r| (*r, list.iter().filter(|m| m.region == *r).collect()))
        .collect()
}
