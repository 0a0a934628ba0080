//! Open311 GeoReport v2 under `/open311/v2/`, so on-site reporting tools
//! can feed the challenge board: discovery, service list and definitions,
//! `POST requests` (with an API key issued per jurisdiction) and `GET
//! requests`, in JSON and XML as the specification writes them
//! (<http://wiki.open311.org/GeoReport_v2>), errors included. The
//! jurisdiction is the municipality's 6-digit local-government code.

use crate::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kizuna_domain::open311::{NewRequest, RequestInput, SERVICES, Service, service};
use kizuna_store::open311::{RequestQuery, SiteReport};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(get_root).post(post_root))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
}

/// The two formats of the specification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    Json,
    Xml,
}

/// `services.json` → ("services", Json); anything else is not found.
fn split(file: &str) -> Result<(&str, Format), Errors> {
    let not_found = || {
        error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "Not found: use .json or .xml",
        )
    };
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return Err(not_found()),
    };
    Ok((name, format))
}

/// A list of objects: a JSON array, or `<root><item>…</item>…</root>`.
fn list_body(
    format: Format,
    root: &str,
    item: &str,
    items: Vec<Vec<(&'static str, Value)>>,
) -> Response {
    match format {
        Format::Json => ok(
            format,
            Value::Array(
                items
                    .into_iter()
                    .map(|fields| {
                        Value::Object(
                            fields
                                .into_iter()
                                .map(|(k, v)| (k.to_string(), v))
                                .collect(),
                        )
                    })
                    .collect(),
            )
            .to_string(),
        ),
        Format::Xml => {
            let mut x = Xml::new();
            x.open(root);
            for fields in &items {
                x.open(item);
                x.fields(fields);
                x.close(item);
            }
            x.close(root);
            ok(format, x.finish())
        }
    }
}

/// An Open311 error list (`[{"code": 400, "description": "…"}]`), answered
/// with the same HTTP status.
pub struct Errors {
    status: StatusCode,
    description: String,
    format: Format,
}

fn error(format: Format, status: StatusCode, description: impl Into<String>) -> Errors {
    Errors {
        status,
        description: description.into(),
        format,
    }
}

impl IntoResponse for Errors {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let body = match self.format {
            Format::Json => json!([{ "code": code, "description": self.description }]).to_string(),
            Format::Xml => {
                let mut x = Xml::new();
                x.open("errors");
                x.open("error");
                x.leaf("code", Some(&code.to_string()));
                x.leaf("description", Some(&self.description));
                x.close("error");
                x.close("errors");
                x.finish()
            }
        };
        (self.status, content_type(self.format), body).into_response()
    }
}

fn content_type(format: Format) -> [(header::HeaderName, &'static str); 1] {
    [(
        header::CONTENT_TYPE,
        match format {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        },
    )]
}

fn ok(format: Format, body: String) -> Response {
    (StatusCode::OK, content_type(format), body).into_response()
}

/// A small XML writer: the documents here are flat and few.
pub struct Xml(String);

impl Xml {
    fn new() -> Self {
        Self(String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
    }
    fn open(&mut self, name: &str) {
        self.0.push('<');
        self.0.push_str(name);
        self.0.push('>');
    }
    fn close(&mut self, name: &str) {
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
    }
    /// `<name>text</name>`, or `<name/>` for none.
    fn leaf(&mut self, name: &str, text: Option<&str>) {
        match text {
            Some(t) => {
                self.open(name);
                for c in t.chars() {
                    match c {
                        '<' => self.0.push_str("&lt;"),
                        '>' => self.0.push_str("&gt;"),
                        '&' => self.0.push_str("&amp;"),
                        '"' => self.0.push_str("&quot;"),
                        '\'' => self.0.push_str("&apos;"),
                        c => self.0.push(c),
                    }
                }
                self.close(name);
            }
            None => {
                self.0.push('<');
                self.0.push_str(name);
                self.0.push_str("/>");
            }
        }
    }
    /// An object's fields in order, each as a leaf (nulls as empty elements).
    fn fields(&mut self, fields: &[(&str, Value)]) {
        for (name, v) in fields {
            let text = match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
            self.leaf(name, text.as_deref());
        }
    }
    fn finish(self) -> String {
        self.0
    }
}

/// W3C date-time in Japan time, as the specification's examples write
/// them (`2010-04-14T06:37:38-08:00`).
pub fn w3c(unix: i64) -> String {
    let (y, m, d, h, min) = kizuna_domain::event::jst_parts(unix);
    let s = (unix + 9 * 3600).rem_euclid(60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}+09:00")
}

fn parse_w3c(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn params(raw: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// Checks an optional `jurisdiction_id` names one of our municipalities.
async fn known_jurisdiction(st: &AppState, format: Format, id: Option<&str>) -> Result<(), Errors> {
    if let Some(id) = id {
        let known = st
            .store
            .municipalities()
            .await
            .map_err(|_| error(format, StatusCode::SERVICE_UNAVAILABLE, "Try again later."))?
            .iter()
            .any(|m| m.code == id);
        if !known {
            return Err(error(
                format,
                StatusCode::NOT_FOUND,
                format!("jurisdiction_id {id} not found"),
            ));
        }
    }
    Ok(())
}

/// `GET discovery.{fmt}`, `GET services.{fmt}`, `GET requests.{fmt}`.
async fn get_root(
    State(st): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Errors> {
    let (name, format) = split(&file)?;
    let p = params(raw.as_deref());
    match name {
        "discovery" => Ok(discovery(&st, format)),
        "services" => {
            known_jurisdiction(&st, format, param(&p, "jurisdiction_id")).await?;
            Ok(services(format))
        }
        "requests" => list_requests(&st, format, &p).await,
        _ => Err(error(
            format,
            StatusCode::NOT_FOUND,
            format!("{name} not found"),
        )),
    }
}

fn discovery(st: &AppState, format: Format) -> Response {
    let base = st.config.public_url.trim_end_matches('/');
    let changeset = "2026-11-30T00:00:00+09:00";
    let contact = format!("Kizuna — {base}/privacy");
    let key_service = format!(
        "{base}/partnerships — API keys are issued per jurisdiction by a coordinator of the partnership"
    );
    let url = format!("{base}/open311/v2");
    let spec = "http://wiki.open311.org/GeoReport_v2";
    match format {
        Format::Json => ok(
            format,
            json!({
                "changeset": changeset,
                "contact": contact,
                "key_service": key_service,
                "endpoints": [{
                    "specification": spec,
                    "url": url,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }],
            })
            .to_string(),
        ),
        Format::Xml => {
            let mut x = Xml::new();
            x.open("discovery");
            x.leaf("changeset", Some(changeset));
            x.leaf("contact", Some(&contact));
            x.leaf("key_service", Some(&key_service));
            x.open("endpoints");
            x.open("endpoint");
            x.leaf("specification", Some(spec));
            x.leaf("url", Some(&url));
            x.leaf("changeset", Some(changeset));
            x.leaf("type", Some("production"));
            x.open("formats");
            x.leaf("format", Some("text/xml"));
            x.leaf("format", Some("application/json"));
            x.close("formats");
            x.close("endpoint");
            x.close("endpoints");
            x.close("discovery");
            ok(format, x.finish())
        }
    }
}

fn service_fields(s: &Service) -> Vec<(&'static str, Value)> {
    vec![
        ("service_code", json!(s.code)),
        ("service_name", json!(s.name)),
        ("description", json!(s.description)),
        ("metadata", json!(!s.attributes.is_empty())),
        ("type", json!("realtime")),
        ("keywords", json!(s.keywords)),
        ("group", json!(s.group)),
    ]
}

fn services(format: Format) -> Response {
    list_body(
        format,
        "services",
        "service",
        SERVICES.iter().map(service_fields).collect(),
    )
}

/// `GET services/{service_code}.{fmt}`
async fn service_definition(
    State(st): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Errors> {
    let (code, format) = split(&file)?;
    known_jurisdiction(
        &st,
        format,
        param(&params(raw.as_deref()), "jurisdiction_id"),
    )
    .await?;
    let s = service(code).ok_or_else(|| {
        error(
            format,
            StatusCode::NOT_FOUND,
            format!("service_code {code} not found"),
        )
    })?;
    let attribute = |a: &kizuna_domain::open311::Attribute| -> Vec<(&'static str, Value)> {
        vec![
            ("variable", json!(true)),
            ("code", json!(a.code)),
            ("datatype", json!(a.datatype)),
            ("required", json!(a.required)),
            ("datatype_description", json!(a.datatype_description)),
            ("order", json!(a.order)),
            ("description", json!(a.description)),
        ]
    };
    Ok(match format {
        Format::Json => {
            let attributes: Vec<Value> = s
                .attributes
                .iter()
                .map(|a| {
                    let mut o: serde_json::Map<String, Value> = attribute(a)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    o.insert(
                        "values".into(),
                        a.values
                            .iter()
                            .map(|v| json!({ "key": v.key, "name": v.name }))
                            .collect(),
                    );
                    Value::Object(o)
                })
                .collect();
            ok(
                format,
                json!({ "service_code": s.code, "attributes": attributes }).to_string(),
            )
        }
        Format::Xml => {
            let mut x = Xml::new();
            x.open("service_definition");
            x.leaf("service_code", Some(s.code));
            x.open("attributes");
            for a in s.attributes {
                x.open("attribute");
                x.fields(&attribute(a));
                x.open("values");
                for v in a.values {
                    x.open("value");
                    x.leaf("key", Some(v.key));
                    x.leaf("name", Some(v.name));
                    x.close("value");
                }
                x.close("values");
                x.close("attribute");
            }
            x.close("attributes");
            x.close("service_definition");
            ok(format, x.finish())
        }
    })
}

/// The specification's wording for what a request lacked.
fn request_error(format: Format, e: &kizuna_domain::ValidationError) -> Errors {
    let d = match e.code {
        "unknown_service_code" => {
            "service_code was not provided or is not a known service code".to_string()
        }
        "location_required" => {
            "A location is required: lat and long, address_string or address_id".to_string()
        }
        "lat_long_together" => "lat and long must be given together".to_string(),
        "invalid_coordinate" => format!("{} is not a valid coordinate", e.field),
        "attribute_required" => "A required attribute of the service was not provided".to_string(),
        "attribute_value_unknown" => {
            "An attribute value is not one of the service's values".to_string()
        }
        "attribute_unknown" => "An attribute is not defined for this service".to_string(),
        "attribute_not_a_number" => "A number attribute is not a number".to_string(),
        "invalid_email" => "email is not a valid e-mail address".to_string(),
        "invalid_url" => "media_url is not a valid URL".to_string(),
        "too_long" => format!("{} is too long", e.field),
        _ => format!("{} is not valid", e.field),
    };
    error(format, StatusCode::BAD_REQUEST, d)
}

/// `POST requests.{fmt}` — form fields as the specification lists them,
/// `attribute[code]` included; the key is `api_key`.
async fn post_root(
    State(st): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, Errors> {
    let (name, format) = split(&file)?;
    if name != "requests" {
        return Err(error(
            format,
            StatusCode::METHOD_NOT_ALLOWED,
            format!("POST is not allowed on {name}"),
        ));
    }
    let mut p = params(raw.as_deref());
    p.extend(
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).map_err(|_| {
            error(
                format,
                StatusCode::BAD_REQUEST,
                "The body must be application/x-www-form-urlencoded",
            )
        })?,
    );
    let unavailable = |_| error(format, StatusCode::SERVICE_UNAVAILABLE, "Try again later.");
    let key = match param(&p, "api_key") {
        Some(k) => st.store.open311_key(k).await.map_err(unavailable)?,
        None => None,
    };
    let Some(key) = key else {
        return Err(error(
            format,
            StatusCode::FORBIDDEN,
            "Invalid api_key received -- can't proceed with create_request.",
        ));
    };
    if let Some(j) = param(&p, "jurisdiction_id")
        && j != key.jurisdiction_id
    {
        return Err(error(
            format,
            StatusCode::FORBIDDEN,
            format!("The api_key is not valid for jurisdiction_id {j}"),
        ));
    }
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &p {
        if let Some(code) = k.strip_prefix("attribute[") {
            let code = code.trim_end_matches("[]").trim_end_matches(']');
            attributes
                .entry(code.to_string())
                .or_default()
                .push(v.clone());
        }
    }
    let get = |n: &str| param(&p, n).unwrap_or("").to_string();
    let input = RequestInput {
        service_code: get("service_code"),
        lat: get("lat"),
        long: get("long"),
        address_string: get("address_string"),
        address_id: get("address_id"),
        zipcode: get("zipcode"),
        email: get("email"),
        device_id: get("device_id"),
        account_id: get("account_id"),
        first_name: get("first_name"),
        last_name: get("last_name"),
        phone: get("phone"),
        description: get("description"),
        media_url: get("media_url"),
        attributes,
    };
    let req = NewRequest::parse(&input).map_err(|e| request_error(format, &e))?;
    let id = st
        .store
        .create_site_report(&key, &req)
        .await
        .map_err(unavailable)?;
    let notice = service(req.service_code).map_or("", |s| s.notice);
    let fields = vec![
        ("service_request_id", json!(id.to_string())),
        ("service_notice", json!(notice)),
        ("account_id", Value::Null),
    ];
    Ok(list_body(
        format,
        "service_requests",
        "request",
        vec![fields],
    ))
}

fn request_fields(r: &SiteReport) -> Vec<(&'static str, Value)> {
    let s = service(&r.service_code);
    vec![
        ("service_request_id", json!(r.id.to_string())),
        ("status", json!(r.status)),
        ("status_notes", json!(r.status_notes)),
        ("service_name", json!(s.map(|s| s.name))),
        ("service_code", json!(r.service_code)),
        ("description", json!(r.description)),
        ("agency_responsible", json!(r.organisation_name)),
        ("service_notice", json!(s.map(|s| s.notice))),
        ("requested_datetime", json!(w3c(r.requested_at))),
        ("updated_datetime", json!(w3c(r.updated_at))),
        ("expected_datetime", Value::Null),
        ("address", json!(r.address)),
        ("address_id", json!(r.address_id)),
        ("zipcode", json!(r.zipcode)),
        ("lat", json!(r.lat)),
        ("long", json!(r.lon)),
        ("media_url", json!(r.media_url)),
    ]
}

fn requests_body(format: Format, reports: &[SiteReport]) -> Response {
    list_body(
        format,
        "service_requests",
        "request",
        reports.iter().map(request_fields).collect(),
    )
}

fn list(p: &[(String, String)], name: &str) -> Vec<String> {
    param(p, name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// `GET requests.{fmt}`: a jurisdiction's requests, filtered as the
/// specification allows (ids, service codes, dates, status).
async fn list_requests(
    st: &AppState,
    format: Format,
    p: &[(String, String)],
) -> Result<Response, Errors> {
    let Some(jurisdiction) = param(p, "jurisdiction_id") else {
        return Err(error(
            format,
            StatusCode::BAD_REQUEST,
            "jurisdiction_id was not provided",
        ));
    };
    known_jurisdiction(st, format, Some(jurisdiction)).await?;
    let ids = list(p, "service_request_id")
        .iter()
        .map(|s| s.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            error(
                format,
                StatusCode::BAD_REQUEST,
                "service_request_id must be numbers",
            )
        })?;
    let date = |name: &str| -> Result<Option<i64>, Errors> {
        match param(p, name) {
            None => Ok(None),
            Some(v) => parse_w3c(v).map(Some).ok_or_else(|| {
                error(
                    format,
                    StatusCode::BAD_REQUEST,
                    format!("{name} must be a W3C date-time"),
                )
            }),
        }
    };
    let status = list(p, "status");
    if status.iter().any(|s| s != "open" && s != "closed") {
        return Err(error(
            format,
            StatusCode::BAD_REQUEST,
            "status must be open or closed",
        ));
    }
    let q = RequestQuery {
        jurisdiction_id: jurisdiction.to_string(),
        ids,
        service_codes: list(p, "service_code"),
        start: date("start_date")?,
        end: date("end_date")?,
        status,
    };
    let reports = st
        .store
        .site_reports(&q)
        .await
        .map_err(|_| error(format, StatusCode::SERVICE_UNAVAILABLE, "Try again later."))?;
    Ok(requests_body(format, &reports))
}

/// `GET requests/{service_request_id}.{fmt}`
async fn one_request(
    State(st): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Errors> {
    let (id, format) = split(&file)?;
    let p = params(raw.as_deref());
    let Some(jurisdiction) = param(&p, "jurisdiction_id") else {
        return Err(error(
            format,
            StatusCode::BAD_REQUEST,
            "jurisdiction_id was not provided",
        ));
    };
    let not_found = || {
        error(
            format,
            StatusCode::NOT_FOUND,
            format!("service_request_id {id} not found"),
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let report = st
        .store
        .site_report(jurisdiction, id)
        .await
        .map_err(|_| not_found())?;
    Ok(requests_body(format, &[report]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_nulls_are_empty_elements() {
        let mut x = Xml::new();
        x.open("a");
        x.leaf("b", Some("<&>\"'"));
        x.leaf("c", None);
        x.close("a");
        assert!(
            x.finish()
                .ends_with("<a><b>&lt;&amp;&gt;&quot;&apos;</b><c/></a>")
        );
    }

    #[test]
    fn times_are_written_in_japan_time_with_their_offset() {
        assert_eq!(w3c(0), "1970-01-01T09:00:00+09:00");
        assert_eq!(parse_w3c("1970-01-01T09:00:00+09:00"), Some(0));
        assert_eq!(parse_w3c("2010-04-14T06:37:38-08:00"), Some(1_271_255_858));
    }
}
