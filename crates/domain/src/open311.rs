//! Open311 GeoReport v2 intake: the services on-site reporting tools may
//! file requests for, their attribute definitions, and the checks a new
//! service request must pass. Formats (JSON, XML) are the server's.

use crate::ValidationError;
use crate::error::{optional_text, optional_url};
use std::collections::BTreeMap;

/// A value of a list attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttributeValue {
    pub key: &'static str,
    pub name: &'static str,
}

/// An attribute of a service definition (GeoReport v2 `attribute`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attribute {
    pub code: &'static str,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist`, `multivaluelist`
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: Option<&'static str>,
    pub order: u32,
    pub description: &'static str,
    pub values: &'static [AttributeValue],
}

/// A service on-site issues can be reported to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Service {
    pub code: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub description: &'static str,
    pub keywords: &'static str,
    pub group: &'static str,
    /// What the reporter is told once the request is received.
    pub notice: &'static str,
    pub attributes: &'static [Attribute],
}

const YES_NO: &[AttributeValue] = &[
    AttributeValue {
        key: "yes",
        name: "はい",
    },
    AttributeValue {
        key: "no",
        name: "いいえ",
    },
];

const NOTICE: &str = "受け付けました。担当課が内容を確認します。";

/// The services, in the order they are listed.
pub const SERVICES: &[Service] = &[
    Service {
        code: "road_damage",
        name: "道路の損傷",
        name_en: "Road damage",
        description: "道路の穴、陥没、ガードレールや側溝のふたの破損など",
        keywords: "道路, 陥没, 穴, ガードレール, 側溝",
        group: "道路・インフラ",
        notice: NOTICE,
        attributes: &[Attribute {
            code: "hazard",
            datatype: "singlevaluelist",
            required: true,
            datatype_description: None,
            order: 1,
            description: "通行に危険がありますか",
            values: YES_NO,
        }],
    },
    Service {
        code: "streetlight",
        name: "街灯の不具合",
        name_en: "Streetlight out",
        description: "街灯や防犯灯が点かない、点滅している",
        keywords: "街灯, 防犯灯, 電灯",
        group: "道路・インフラ",
        notice: NOTICE,
        attributes: &[],
    },
    Service {
        code: "illegal_dumping",
        name: "不法投棄",
        name_en: "Illegal dumping",
        description: "道路や空き地、山林へのごみや家電の不法投棄",
        keywords: "ごみ, 不法投棄, 粗大ごみ",
        group: "環境",
        notice: NOTICE,
        attributes: &[],
    },
    Service {
        code: "park_facility",
        name: "公園・遊具の破損",
        name_en: "Park or playground damage",
        description: "公園の遊具、ベンチ、トイレなどの破損",
        keywords: "公園, 遊具, ベンチ, トイレ",
        group: "公共施設",
        notice: NOTICE,
        attributes: &[],
    },
    Service {
        code: "wildlife",
        name: "鳥獣の出没・被害",
        name_en: "Wildlife sighting or damage",
        description: "イノシシ、クマ、サルなどの出没や農作物の被害",
        keywords: "イノシシ, クマ, サル, 鳥獣被害",
        group: "農林",
        notice: NOTICE,
        attributes: &[Attribute {
            code: "animal",
            datatype: "singlevaluelist",
            required: true,
            datatype_description: None,
            order: 1,
            description: "どの動物ですか",
            values: &[
                AttributeValue {
                    key: "boar",
                    name: "イノシシ",
                },
                AttributeValue {
                    key: "bear",
                    name: "クマ",
                },
                AttributeValue {
                    key: "monkey",
                    name: "サル",
                },
                AttributeValue {
                    key: "other",
                    name: "その他",
                },
            ],
        }],
    },
    Service {
        code: "disaster_damage",
        name: "災害による被害",
        name_en: "Disaster damage",
        description: "大雨、地震、土砂崩れなどによる被害の状況",
        keywords: "災害, 土砂崩れ, 浸水, 倒木",
        group: "防災",
        notice: NOTICE,
        attributes: &[Attribute {
            code: "people_affected",
            datatype: "number",
            required: false,
            datatype_description: Some("影響を受けている人数（分かる場合）"),
            order: 1,
            description: "影響を受けている人数",
            values: &[],
        }],
    },
    Service {
        code: "counter_issue",
        name: "窓口・手続きの困りごと",
        name_en: "Counter or procedure issue",
        description: "窓口や行政手続きで住民や職員が困っていること（行政DXの課題のきっかけ）",
        keywords: "窓口, 手続き, 申請, 行政DX",
        group: "行政サービス",
        notice: NOTICE,
        attributes: &[],
    },
    Service {
        code: "other",
        name: "その他",
        name_en: "Other",
        description: "上のどれにも当てはまらないもの",
        keywords: "その他",
        group: "その他",
        notice: NOTICE,
        attributes: &[],
    },
];

pub fn service(code: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.code == code)
}

/// A service request as posted (form fields of `POST requests`).
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub zipcode: String,
    pub email: String,
    pub device_id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    pub media_url: String,
    /// `attribute[code]` → values (several for a multivaluelist).
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// A checked service request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    pub service_code: &'static str,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// The attributes as a JSON object (one value, or a list for multivaluelist).
    pub attributes: String,
}

fn coordinate(field: &'static str, v: &str, limit: f64) -> Result<Option<f64>, ValidationError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
        _ => Err(ValidationError::new(field, "invalid_coordinate")),
    }
}

impl NewRequest {
    /// Checks a request against the specification: a known service code; a
    /// location (lat and long together, or an address, or an address id);
    /// the service's required attributes with values from their lists.
    pub fn parse(i: &RequestInput) -> Result<Self, ValidationError> {
        let service = service(i.service_code.trim())
            .ok_or(ValidationError::new("service_code", "unknown_service_code"))?;
        let lat = coordinate("lat", &i.lat, 90.0)?;
        let long = coordinate("long", &i.long, 180.0)?;
        let address = optional_text("address_string", &i.address_string, 500)?;
        let address_id = optional_text("address_id", &i.address_id, 100)?;
        if lat.is_some() != long.is_some() {
            return Err(ValidationError::new("long", "lat_long_together"));
        }
        if lat.is_none() && address.is_none() && address_id.is_none() {
            return Err(ValidationError::new("lat", "location_required"));
        }
        let email = match optional_text("email", &i.email, 254)? {
            Some(e) => Some(crate::Email::parse(&e)?.as_str().to_string()),
            None => None,
        };
        let name = [i.last_name.trim(), i.first_name.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let mut attributes = serde_json::Map::new();
        for a in service.attributes {
            let given: Vec<&str> = i
                .attributes
                .get(a.code)
                .map(|v| {
                    v.iter()
                        .map(|s| s.trim())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if given.is_empty() {
                if a.required {
                    return Err(ValidationError::new("attribute", "attribute_required"));
                }
                continue;
            }
            let value = match a.datatype {
                "singlevaluelist" | "multivaluelist" => {
                    if given.iter().any(|g| !a.values.iter().any(|v| v.key == *g))
                        || (a.datatype == "singlevaluelist" && given.len() > 1)
                    {
                        return Err(ValidationError::new("attribute", "attribute_value_unknown"));
                    }
                    if a.datatype == "multivaluelist" {
                        serde_json::json!(given)
                    } else {
                        serde_json::json!(given[0])
                    }
                }
                "number" => match given[0].parse::<f64>() {
                    Ok(n) if n.is_finite() => serde_json::json!(n),
                    _ => return Err(ValidationError::new("attribute", "attribute_not_a_number")),
                },
                _ => serde_json::json!(given[0].chars().take(1000).collect::<String>()),
            };
            attributes.insert(a.code.to_string(), value);
        }
        let unknown = i
            .attributes
            .keys()
            .any(|k| !service.attributes.iter().any(|a| a.code == k));
        if unknown {
            return Err(ValidationError::new("attribute", "attribute_unknown"));
        }
        Ok(Self {
            service_code: service.code,
            lat,
            long,
            address,
            address_id,
            zipcode: optional_text("zipcode", &i.zipcode, 20)?,
            email,
            device_id: optional_text("device_id", &i.device_id, 200)?,
            name: optional_text("first_name", &name, 200)?,
            phone: optional_text("phone", &i.phone, 40)?,
            description: optional_text("description", &i.description, 4000)?,
            media_url: optional_url("media_url", &i.media_url)?,
            attributes: serde_json::Value::Object(attributes).to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RequestInput {
        RequestInput {
            service_code: "wildlife".into(),
            lat: "37.7503".into(),
            long: "140.4676".into(),
            description: "畑の近くでイノシシを見た".into(),
            attributes: BTreeMap::from([("animal".into(), vec!["boar".into()])]),
            ..Default::default()
        }
    }

    #[test]
    fn a_request_needs_a_service_a_location_and_its_required_attributes() {
        let r = NewRequest::parse(&input()).unwrap();
        assert_eq!(r.attributes, r#"{"animal":"boar"}"#);
        for (change, code) in [
            (|i: &mut RequestInput| i.service_code = "pothole".into()) as fn(&mut RequestInput),
            |i| {
                i.lat.clear();
                i.long.clear();
            },
            |i| i.long.clear(),
            |i| i.lat = "91".into(),
            |i| {
                i.attributes.clear();
            },
            |i| {
                i.attributes.insert("animal".into(), vec!["dragon".into()]);
            },
            |i| {
                i.attributes.insert("colour".into(), vec!["red".into()]);
            },
            |i| i.email = "not-an-address".into(),
        ]
        .into_iter()
        .zip([
            "unknown_service_code",
            "location_required",
            "lat_long_together",
            "invalid_coordinate",
            "attribute_required",
            "attribute_value_unknown",
            "attribute_unknown",
            "invalid_email",
        ]) {
            let mut i = input();
            change(&mut i);
            assert_eq!(NewRequest::parse(&i).unwrap_err().code, code);
        }
        let mut i = input();
        i.lat.clear();
        i.long.clear();
        i.address_string = "福島市杉妻町2-16".into();
        assert_eq!(
            NewRequest::parse(&i).unwrap().address.as_deref(),
            Some("福島市杉妻町2-16")
        );
    }

    #[test]
    fn service_codes_are_unique() {
        let mut codes: Vec<&str> = SERVICES.iter().map(|s| s.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), SERVICES.len());
    }
}
