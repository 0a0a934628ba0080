//! Open311 GeoReport v2 at /open311/v2/: a key from the command line, then
//! discovery, services, definitions and requests in JSON and XML, with the
//! specification's field names and error lists, read back in both formats.

use crate::support::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

const BIN: &str = env!("CARGO_BIN_EXE_kizuna");

/// Issues a key with `kizuna open311 keys create`, as an operator would.
fn key_from_cli(app: &TestApp, jurisdiction: &str) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(["open311", "keys", "create", "--jurisdiction", jurisdiction])
        .env("KIZUNA_DATABASE_URL", app.database_url())
        .env("KIZUNA_CONFIG", "/nonexistent/kizuna.toml")
        .output()
        .unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The element names under each child of an XML document's root.
fn xml_children(xml: &str) -> (String, Vec<Vec<(String, String)>>) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    let items = root
        .children()
        .filter(|n| n.is_element())
        .map(|item| {
            item.children()
                .filter(|n| n.is_element())
                .map(|f| {
                    (
                        f.tag_name().name().to_string(),
                        f.text().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .collect();
    (root.tag_name().name().to_string(), items)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_round_trip_in_json_and_xml_as_the_specification_writes_them() {
    let app = TestApp::spawn().await;
    let fukushima = app.municipality("072010").await;
    app.partnership(&[fukushima]).await;
    let bad = key_from_cli(&app, "072011");
    assert!(
        !bad.status.success(),
        "a code with a wrong check digit is refused"
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("check digit"));
    let out = key_from_cli(&app, "072010");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("o311_"));
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = app.url(&path);
        async move { http.get(url).send().await.unwrap() }
    };

    // Discovery and services.
    let d: Value = get("/open311/v2/discovery.json".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&d),
        set(&["changeset", "contact", "key_service", "endpoints"])
    );
    assert_eq!(
        d["endpoints"][0]["formats"],
        serde_json::json!(["text/xml", "application/json"])
    );
    let (root, _) = xml_children(
        &get("/open311/v2/discovery.xml".into())
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(root, "discovery");
    let services: Value = get("/open311/v2/services.json?jurisdiction_id=072010".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&services[0]),
        set(&[
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group"
        ])
    );
    let res = get("/open311/v2/services.xml".into()).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let (root, items) = xml_children(&res.text().await.unwrap());
    assert_eq!(
        (root.as_str(), items.len()),
        ("services", services.as_array().unwrap().len())
    );
    let def: Value = get("/open311/v2/services/wildlife.json".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&def), set(&["service_code", "attributes"]));
    assert_eq!(
        keys(&def["attributes"][0]),
        set(&[
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values"
        ])
    );
    assert_eq!(
        def["attributes"][0]["values"][0],
        serde_json::json!({"key": "boar", "name": "イノシシ"})
    );
    let xml = get("/open311/v2/services/wildlife.xml".into())
        .await
        .text()
        .await
        .unwrap();
    assert!(xml.contains("<service_definition><service_code>wildlife</service_code><attributes><attribute><variable>true</variable>"), "{xml}");

    // Errors are the specification's error lists, with the HTTP status as code.
    let res = http
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("service_code", "wildlife"),
            ("lat", "37.75"),
            ("long", "140.46"),
            ("api_key", "o311_forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e[0]["code"], 403);
    assert_eq!(keys(&e[0]), set(&["code", "description"]));
    let res = http
        .post(app.url("/open311/v2/requests.xml"))
        .form(&[
            ("service_code", "pothole"),
            ("lat", "37.75"),
            ("long", "140.46"),
            ("api_key", key.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let (root, items) = xml_children(&res.text().await.unwrap());
    assert_eq!(root, "errors");
    assert_eq!(items[0][0], ("code".to_string(), "400".to_string()));
    let res = http
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("service_code", "wildlife"),
            ("lat", "37.75"),
            ("long", "140.46"),
            ("api_key", key.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "the required attribute is missing");
    assert_eq!(
        get("/open311/v2/requests.json".into()).await.status(),
        400,
        "jurisdiction_id is required"
    );
    assert_eq!(
        get("/open311/v2/requests.json?jurisdiction_id=999999".into())
            .await
            .status(),
        404
    );

    // A request in JSON, then read back in both formats.
    let res = http
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("jurisdiction_id", "072010"),
            ("api_key", key.as_str()),
            ("service_code", "wildlife"),
            ("lat", "37.7503"),
            ("long", "140.4676"),
            ("address_string", "福島市杉妻町2-16"),
            ("description", "畑の近くでイノシシを見ました <注意>"),
            ("email", "resident@example.jp"),
            ("first_name", "花子"),
            ("last_name", "福島"),
            ("attribute[animal]", "boar"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        keys(&created[0]),
        set(&["service_request_id", "service_notice", "account_id"])
    );
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    // And one in XML.
    let xml = http
        .post(app.url("/open311/v2/requests.xml"))
        .form(&[
            ("api_key", key.as_str()),
            ("service_code", "road_damage"),
            ("address_id", "A-12"),
            ("attribute[hazard]", "yes"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (root, items) = xml_children(&xml);
    assert_eq!(root, "service_requests");
    assert_eq!(
        items[0].iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["service_request_id", "service_notice", "account_id"]
    );

    let one: Value = get(format!(
        "/open311/v2/requests/{id}.json?jurisdiction_id=072010"
    ))
    .await
    .json()
    .await
    .unwrap();
    let r = &one[0];
    let spec_fields = [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ];
    assert_eq!(keys(r), set(&spec_fields));
    assert_eq!(r["status"], "open");
    assert_eq!(r["description"], "畑の近くでイノシシを見ました <注意>");
    assert_eq!(r["lat"], 37.7503);
    assert_eq!(r["agency_responsible"], "福島市");
    assert!(
        r["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+09:00")
    );
    assert!(
        !one.to_string().contains("resident@example.jp"),
        "contact details are never published"
    );
    let xml = get(format!(
        "/open311/v2/requests/{id}.xml?jurisdiction_id=072010"
    ))
    .await
    .text()
    .await
    .unwrap();
    let (root, items) = xml_children(&xml);
    assert_eq!(root, "service_requests");
    let fields = &items[0];
    assert_eq!(
        fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        spec_fields
    );
    for (name, text) in fields {
        let json = match &r[name] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(&json, text, "{name} differs between JSON and XML");
    }
    let listed: Value = get(
        "/open311/v2/requests.json?jurisdiction_id=072010&service_code=wildlife&status=open".into(),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let all: Value = get("/open311/v2/requests.json?jurisdiction_id=072010".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(
        get("/open311/v2/requests/999999.json?jurisdiction_id=072010".into())
            .await
            .status(),
        404
    );
    assert_eq!(
        get("/open311/v2/requests.json?jurisdiction_id=072010&start_date=yesterday".into())
            .await
            .status(),
        400
    );
}
