//! Joining the PR corps (広報隊), the fan's page (points, badges, map,
//! ledger) and editing the profile and its consents.

use super::fan_access::{Access, fan_for, today_jst};
use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::badges::{self, Badge};
use kizuna_domain::fan::{FanConsents, FanInput, FanProfile, HOME_REGIONS, LANGUAGES, SKILLS};
use kizuna_domain::ledger::{CHANNELS, EntryKind, PLATFORMS};
use kizuna_store::StoreError;
use kizuna_store::fans::{ConsentChange, Fan, FanDetail, GoodsRequest};
use kizuna_store::ledger::{Entry, LedgerFilter};
use kizuna_store::municipalities::Municipality;
use kizuna_store::partnerships::{Partnership, Party, Pillar};
use std::collections::HashMap;

/// The profile form as submitted: repeated fields (interests, languages)
/// arrive as several pairs, skills as `skill_<key>=<level>`.
pub fn fan_input(pairs: &[(String, String)]) -> FanInput {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let many = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    FanInput {
        display_name: one("display_name"),
        full_name: one("full_name"),
        full_name_kana: one("full_name_kana"),
        organisation_id: one("organisation_id").trim().parse().ok(),
        department: one("department"),
        home_region: one("home_region"),
        interests: many("interests"),
        skills: pairs
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("skill_").map(|s| (s.to_string(), v.clone())))
            .collect(),
        tags: one("tags"),
        languages: many("languages"),
        availability_hours: one("availability_hours"),
        consents: FanConsents {
            named_to_government: !one("named_to_government").is_empty(),
            on_leaderboard: !one("on_leaderboard").is_empty(),
            contact: !one("contact").is_empty(),
        },
    }
}

#[derive(Template)]
#[template(path = "fan_form.html")]
struct FanFormPage {
    c: PageCtx,
    p: Partnership,
    /// `None` when joining, the fan's id when editing.
    fan_id: Option<i64>,
    input: FanInput,
    errors: FormErrors,
    parties: Vec<Party>,
    pillars: Vec<Pillar>,
    skills: Vec<(&'static str, i64)>,
    history: Vec<ConsentChange>,
}

impl FanFormPage {
    fn has_interest(&self, key: &str) -> bool {
        self.input.interests.iter().any(|i| i == key)
    }
    fn has_language(&self, l: &str) -> bool {
        self.input.languages.iter().any(|i| i == l)
    }
    fn home_regions(&self) -> &'static [&'static str] {
        &HOME_REGIONS
    }
    fn languages(&self) -> &'static [&'static str] {
        &LANGUAGES
    }
    fn org_selected(&self, id: &i64) -> bool {
        self.input.organisation_id == Some(*id)
    }
}

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    p: Partnership,
    fan_id: Option<i64>,
    input: FanInput,
    errors: FormErrors,
) -> Result<String, AppError> {
    let levels: HashMap<&str, i64> = input
        .skills
        .iter()
        .filter_map(|(s, l)| Some((s.as_str(), l.parse().ok()?)))
        .collect();
    let skills = SKILLS
        .iter()
        .map(|s| (*s, levels.get(s).copied().unwrap_or(0)))
        .collect();
    let history = match fan_id {
        Some(id) => st.store.consent_history(id).await?,
        None => Vec::new(),
    };
    let page = FanFormPage {
        c: PageCtx::new(ctx),
        parties: st
            .store
            .parties(p.id)
            .await?
            .into_iter()
            .filter(|o| o.kind != "municipality")
            .collect(),
        pillars: st.store.pillars(p.id).await?,
        p,
        fan_id,
        input,
        errors,
        skills,
        history,
    };
    Ok(page.render()?)
}

/// `GET /partnerships/{id}/pr-corps/new`
pub async fn join_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    if let Some(fan) = st.store.fan_of(me, id).await? {
        return Ok(Redirect::to(&format!("/fans/{}", fan.id)).into_response());
    }
    let user = ctx.require_user()?;
    let input = FanInput {
        display_name: user.display_name.clone(),
        full_name: user.display_name.clone(),
        ..Default::default()
    };
    Ok(Html(form_page(&st, &ctx, p, None, input, FormErrors::default()).await?).into_response())
}

/// `POST /partnerships/{id}/pr-corps`
pub async fn join(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let input = fan_input(&pairs);
    let saved = match FanProfile::parse(&input) {
        Ok(profile) => st.store.join_pr_corps(me, id, &profile).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(fan) => Ok(Redirect::to(&format!("/fans/{fan}?notice=joined")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let html = form_page(
                &st,
                &ctx,
                p,
                None,
                input,
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(StoreError::Conflict(_)) => {
            let fan = st.store.fan_of(me, id).await?.ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("/fans/{}", fan.id)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(d: &FanDetail, consents: FanConsents) -> FanInput {
    FanInput {
        display_name: d.fan.display_name.clone(),
        full_name: d.fan.full_name.clone(),
        full_name_kana: d.fan.full_name_kana.clone(),
        organisation_id: d.fan.organisation_id,
        department: d.fan.department.clone().unwrap_or_default(),
        home_region: d.fan.home_region.clone().unwrap_or_default(),
        interests: d.interests.clone(),
        skills: d
            .skills
            .iter()
            .map(|(s, l)| (s.clone(), l.to_string()))
            .collect(),
        tags: d.tags.join(", "),
        languages: d.languages.clone(),
        availability_hours: d
            .fan
            .availability_hours
            .map(|h| h.to_string())
            .unwrap_or_default(),
        consents,
    }
}

/// `GET /fans/{id}/edit` — the fan's own profile and consents.
pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let (fan, access) = fan_for(&st, &ctx, id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    let d = st.store.fan_detail(id).await?;
    let consents = FanConsents {
        named_to_government: fan.named_to_government == 1,
        on_leaderboard: fan.on_leaderboard == 1,
        contact: d.contact,
    };
    let p = st
        .store
        .partnership(&ctx.viewer, fan.partnership_id)
        .await?;
    Ok(Html(
        form_page(
            &st,
            &ctx,
            p,
            Some(id),
            input_of(&d, consents),
            FormErrors::default(),
        )
        .await?,
    ))
}

/// `POST /fans/{id}`
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (fan, access) = fan_for(&st, &ctx, id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    let input = fan_input(&pairs);
    let saved = match FanProfile::parse(&input) {
        Ok(profile) => st.store.update_fan(id, &profile).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/fans/{id}?notice=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let p = st
                .store
                .partnership(&ctx.viewer, fan.partnership_id)
                .await?;
            let html = form_page(
                &st,
                &ctx,
                p,
                Some(id),
                input,
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "fan.html")]
struct FanPage {
    c: PageCtx,
    fan: Fan,
    p: Partnership,
    is_owner: bool,
    points: i64,
    badges: Vec<Badge>,
    all_badges: Vec<Badge>,
    map_svg: String,
    legend: [(&'static str, &'static str); 5],
    attribution: &'static str,
    entries: Vec<Entry>,
    total_entries: i64,
    ledger_page: i64,
    has_older: bool,
    editable_until: i64,
    filter_kind: String,
    filter_code: String,
    municipalities: std::sync::Arc<Vec<Municipality>>,
    goods: Vec<GoodsRequest>,
    today: String,
    errors: FormErrors,
    form: kizuna_domain::ledger::EntryInput,
}

impl FanPage {
    fn kinds(&self) -> &'static [EntryKind] {
        &EntryKind::SELF_REPORTED
    }
    fn all_kinds(&self) -> &'static [EntryKind] {
        &EntryKind::ALL
    }
    fn channels(&self) -> &'static [&'static str] {
        &CHANNELS
    }
    fn platforms(&self) -> &'static [&'static str] {
        &PLATFORMS
    }
    fn has_badge(&self, b: &Badge) -> bool {
        self.badges.contains(b)
    }
    fn can_edit(&self, e: &Entry) -> bool {
        self.is_owner
            && (e.status == "active" || e.status == "flagged")
            && e.created_at >= self.editable_until
    }
}

#[derive(serde::Deserialize, Default)]
pub struct LedgerQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    page: i64,
}

/// Entries per page of the ledger on the fan page.
pub const LEDGER_PAGE: i64 = 50;

/// Renders the fan page; `form`/`errors` carry a rejected new entry back.
pub async fn fan_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    q: LedgerQuery,
    form: kizuna_domain::ledger::EntryInput,
    errors: FormErrors,
) -> Result<String, AppError> {
    let (fan, access) = fan_for(st, ctx, id).await?;
    let p = st
        .store
        .partnership(&ctx.viewer, fan.partnership_id)
        .await?;
    let page = q.page.max(0);
    let filter = LedgerFilter {
        kind: Some(q.kind.clone()).filter(|k| !k.is_empty()),
        municipality_code: Some(q.municipality.clone()).filter(|m| !m.is_empty()),
        // One more than shown tells whether an older page exists.
        limit: Some(LEDGER_PAGE + 1),
        offset: page * LEDGER_PAGE,
    };
    let summary = st.store.ledger_summary(id, fan.ledger_rev).await?;
    let counts: HashMap<String, i64> = summary.municipality_counts.iter().cloned().collect();
    let edit_days = p.ledger_edit_days;
    let mut entries = st.store.ledger(id, &filter).await?;
    let has_older = entries.len() as i64 > LEDGER_PAGE;
    entries.truncate(LEDGER_PAGE as usize);
    let page = FanPage {
        c: PageCtx::new(ctx),
        is_owner: matches!(access, Access::Owner),
        points: summary.points,
        badges: badges::earned_from(&summary.facts),
        all_badges: Badge::ALL.to_vec(),
        map_svg: crate::map::svg(
            &counts,
            &ctx.tr.t("fan-map-label"),
            &ctx.tr.t("unit-entries"),
        ),
        legend: crate::map::legend(),
        attribution: kizuna_store::seed::MAP_ATTRIBUTION,
        entries,
        total_entries: summary.entries,
        ledger_page: page,
        has_older,
        editable_until: kizuna_store::now() - edit_days * 86_400,
        filter_kind: q.kind,
        filter_code: q.municipality,
        municipalities: st.store.municipalities().await?,
        goods: st.store.goods_requests(id).await?,
        today: today_jst(),
        errors,
        form,
        fan,
        p,
    };
    Ok(page.render()?)
}

/// `GET /fans/{id}`
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<LedgerQuery>,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        fan_page(&st, &ctx, id, q, Default::default(), FormErrors::default()).await?,
    ))
}
