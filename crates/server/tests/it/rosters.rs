//! Roster import (CSV in Shift_JIS, UTF-8, .xlsx) and export, over HTTP.

use crate::support::{TestApp, role};
use kizuna_domain::Role;

struct Setup {
    app: TestApp,
    p: i64,
    coord: reqwest::Client,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let company = app
        .store
        .create_organisation(
            None,
            &kizuna_domain::NewOrganisation::parse(
                &kizuna_domain::organisation::OrganisationInput {
                    kind: "company".into(),
                    name: "日本電気株式会社".into(),
                    ..Default::default()
                },
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let p = app.partnership(&[company]).await;
    let id = app
        .person("csr@example.jp", &[role(p, Role::Coordinator, None)])
        .await;
    app.store
        .add_membership(None, id, company, Some("CSR"))
        .await
        .unwrap();
    let coord = app.signed_in("csr@example.jp").await;
    Setup { app, p, coord }
}

async fn upload(s: &Setup, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    s.coord
        .post(s.app.url(&format!("/partnerships/{}/roster", s.p)))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn roster(rows: usize, bad_line: Option<usize>) -> String {
    let mut csv = String::from("メールアドレス,氏名,フリガナ,所属,部署,地域\r\n");
    for i in 0..rows {
        let line = i + 2;
        let kana = if Some(line) == bad_line {
            "漢字"
        } else {
            "ふくしま はなこ"
        };
        csv.push_str(&format!(
            "fan{i}@example.jp,福島 花子{i},{kana},日本電気株式会社,第{}営業部,いわき\r\n",
            i % 20
        ));
    }
    csv
}

fn file_id(preview: &str) -> String {
    preview
        .split("name=\"file_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_row_shift_jis_roster_imports_with_the_right_count() {
    let s = setup().await;
    let text = roster(10_000, None);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let res = upload(&s, "名簿.csv", sjis.into_owned()).await;
    assert_eq!(res.status(), 200);
    let preview = res.text().await.unwrap();
    assert!(
        preview.contains("行数 10000 — 新規 10000 / 更新 0"),
        "the preview counts every row"
    );
    assert_eq!(
        s.app.store.fan_figures(s.p).await.unwrap().registered,
        0,
        "the preview imports nothing"
    );
    let res = s
        .coord
        .post(s.app.url(&format!("/partnerships/{}/roster/imports", s.p)))
        .form(&[("file_id", file_id(&preview))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!(
            "/partnerships/{}/roster?imported=10000&new_fans=10000&updated=0",
            s.p
        )
    );
    assert_eq!(
        s.app.store.fan_figures(s.p).await.unwrap().registered,
        10_000
    );
    let someone = s
        .app
        .store
        .person_by_email("fan9999@example.jp")
        .await
        .unwrap()
        .unwrap();
    let fan = s.app.store.fan_of(someone.id, s.p).await.unwrap().unwrap();
    assert_eq!(
        (fan.full_name.as_str(), fan.department.as_deref()),
        ("福島 花子9999", Some("第19営業部"))
    );

    // The same roster again, in UTF-8 with a BOM this time: nothing doubles.
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(roster(10_000, None).as_bytes());
    let preview = upload(&s, "roster.csv", utf8).await.text().await.unwrap();
    assert!(preview.contains("新規 0 / 更新 10000"));
    s.coord
        .post(s.app.url(&format!("/partnerships/{}/roster/imports", s.p)))
        .form(&[("file_id", file_id(&preview))])
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.app.store.fan_figures(s.p).await.unwrap().registered,
        10_000
    );
}

#[tokio::test]
async fn a_roster_with_one_bad_row_imports_nothing_and_names_the_row() {
    let s = setup().await;
    let res = upload(&s, "roster.csv", roster(30, Some(17)).into_bytes()).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("何も取り込んでいません"));
    assert!(page.contains("<tr><td>17</td><td>ふりがな</td><td>ふりがなは、ひらがな又はカタカナで入力してください。</td></tr>"), "{page}");
    assert_eq!(s.app.store.fan_figures(s.p).await.unwrap().registered, 0);
    let res = upload(&s, "bad.csv", vec![0x82, 0xA0, 0xFF, 0xFE, b'\n']).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("文字コードを読み取れません")
    );
    let res = upload(
        &s,
        "no-kana.csv",
        "email,氏名\na@example.jp,花子\n".as_bytes().to_vec(),
    )
    .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("この見出しの列が必要です")
    );
}

#[tokio::test]
async fn an_excel_roster_imports_and_exports_round_trip() {
    let s = setup().await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["メールアドレス", "氏名", "ふりがな", "所属"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        sheet
            .write_string(r, 0, format!("x{r}@example.jp"))
            .unwrap();
        sheet.write_string(r, 1, format!("会津 {r}")).unwrap();
        sheet.write_string(r, 2, "あいづ").unwrap();
        sheet.write_string(r, 3, "日本電気株式会社").unwrap();
    }
    let preview = upload(&s, "roster.xlsx", book.save_to_buffer().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(preview.contains("行数 3"));
    s.coord
        .post(s.app.url(&format!("/partnerships/{}/roster/imports", s.p)))
        .form(&[("file_id", file_id(&preview))])
        .send()
        .await
        .unwrap();

    let res = s
        .coord
        .get(s.app.url(&format!("/partnerships/{}/fans.csv", s.p)))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let csv = res.bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(
        text.contains("x1@example.jp,会津 1,あいづ"),
        "the company side exports e-mail addresses"
    );
    let xlsx = s
        .coord
        .get(s.app.url(&format!("/partnerships/{}/fans.xlsx", s.p)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[tokio::test]
async fn the_prefecture_side_export_holds_only_fans_who_agreed_to_be_named() {
    let s = setup().await;
    s.app
        .store
        .import_roster(
            None,
            s.p,
            &kizuna_server::roster::read(roster(5, None).as_bytes()).unwrap(),
            false,
        )
        .await
        .unwrap()
        .unwrap();
    // One fan opts in.
    let named = s
        .app
        .store
        .person_by_email("fan3@example.jp")
        .await
        .unwrap()
        .unwrap();
    let fan = s.app.store.fan_of(named.id, s.p).await.unwrap().unwrap();
    let mut profile = kizuna_domain::fan::FanProfile::parse(&kizuna_domain::fan::FanInput {
        display_name: "三".into(),
        full_name: "福島 花子3".into(),
        full_name_kana: "ふくしま".into(),
        ..Default::default()
    })
    .unwrap();
    profile.consents.named_to_government = true;
    s.app.store.update_fan(fan.id, &profile).await.unwrap();

    let prefecture = s
        .app
        .store
        .organisation_id_by_code("070009")
        .await
        .unwrap()
        .unwrap();
    s.app.store.add_party(None, s.p, prefecture).await.unwrap();
    let pref = s
        .app
        .person("pref@example.jp", &[role(s.p, Role::Coordinator, None)])
        .await;
    s.app
        .store
        .add_membership(None, pref, prefecture, None)
        .await
        .unwrap();
    let pref = s.app.signed_in("pref@example.jp").await;
    let csv = pref
        .get(s.app.url(&format!("/partnerships/{}/fans.csv", s.p)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(
        text.lines().count(),
        2,
        "header and the one named fan: {text}"
    );
    assert!(
        text.contains("福島 花子3")
            && !text.contains("@example.jp")
            && !text.contains("福島 花子1")
    );
    let api_list = pref
        .get(s.app.url(&format!("/partnerships/{}/fans?q=", s.p)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!api_list.contains("福島 花子1"));
}

#[tokio::test]
async fn a_roster_larger_than_the_general_body_limit_is_still_accepted() {
    let s = setup().await;
    // 3 MB: over the 1 MiB limit of ordinary forms, under the roster limit.
    let mut csv = String::from("メールアドレス,氏名,ふりがな,部署\n");
    csv.push_str(&format!(
        "big@example.jp,大きな 名簿,おおきな めいぼ,{}\n",
        "部".repeat(1_000_000)
    ));
    let res = upload(&s, "big.csv", csv.into_bytes()).await;
    assert_eq!(
        res.status(),
        422,
        "read and checked, not refused for its size"
    );
    assert!(res.text().await.unwrap().contains("長すぎます"));
}
