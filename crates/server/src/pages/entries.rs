//! Ledger entries: a fan adds, edits and withdraws their own; coordinators
//! review (flag, reject with a reason the fan sees, or clear).

use super::fan_access::{Access, coordinator_side, fan_for, today_jst};
use super::fans::{LedgerQuery, fan_page};
use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::ledger::{CHANNELS, EntryInput, EntryKind, NewEntry, PLATFORMS};
use kizuna_store::StoreError;
use kizuna_store::ledger::Entry;
use kizuna_store::municipalities::Municipality;

fn owner_only(access: &Access) -> Result<(), AppError> {
    if matches!(access, Access::Owner) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The entry form as sent with its optional photo (multipart).
async fn read_entry_form(mut form: Multipart) -> Result<(EntryInput, Option<Vec<u8>>), AppError> {
    let bad = || {
        AppError::Invalid(kizuna_domain::ValidationError::new(
            "photo",
            "body_too_large",
        ))
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut photo = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(|_| bad())?;
            if !bytes.is_empty() {
                photo = Some(bytes.to_vec());
            }
        } else {
            pairs.push((name, field.text().await.map_err(|_| bad())?));
        }
    }
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = EntryInput {
        kind: get("kind"),
        occurred_on: get("occurred_on"),
        municipality_code: get("municipality_code"),
        amount_yen: get("amount_yen"),
        channel: get("channel"),
        products: get("products"),
        url: get("url"),
        platform: get("platform"),
        audience: get("audience"),
        note: get("note"),
        evidence_url: get("evidence_url"),
    };
    Ok((input, photo))
}

/// `POST /fans/{id}/entries` (multipart, with an optional photo)
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(fan_id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    let (_, access) = fan_for(&st, &ctx, fan_id).await?;
    owner_only(&access)?;
    let (input, photo) = read_entry_form(form).await?;
    let photo = match photo.as_deref().map(crate::photos::clean) {
        None => Ok(None),
        Some(Ok(p)) => Ok(Some(p)),
        Some(Err(e)) => Err(kizuna_domain::ValidationError::new("photo", e.code())),
    };
    let saved = match (NewEntry::parse(&input, &today_jst()), photo) {
        (Ok(entry), Ok(photo)) => st
            .store
            .add_entry_with_photo(
                fan_id,
                &entry,
                photo.as_ref().map(|(b, ct)| (b.as_slice(), *ct)),
            )
            .await
            .map(|_| ()),
        (Err(e), _) | (_, Err(e)) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/fans/{fan_id}?notice=entry-added")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let html = fan_page(
                &st,
                &ctx,
                fan_id,
                LedgerQuery::default(),
                input,
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /entries/{id}/photo` — for whoever may see the entry's fan.
pub async fn photo(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let entry = st.store.entry(id).await?;
    fan_for(&st, &ctx, entry.fan_id).await?;
    let file = st
        .store
        .file(entry.photo_id.ok_or(AppError::NotFound)?)
        .await?;
    let content_type = match file.content_type.as_str() {
        "image/png" => "image/png",
        _ => "image/jpeg",
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        file.bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "entry_edit.html")]
struct EditPage {
    c: PageCtx,
    entry: Entry,
    form: EntryInput,
    errors: FormErrors,
    municipalities: std::sync::Arc<Vec<Municipality>>,
    today: String,
}

impl EditPage {
    fn kinds(&self) -> &'static [EntryKind] {
        &EntryKind::SELF_REPORTED
    }
    fn channels(&self) -> &'static [&'static str] {
        &CHANNELS
    }
    fn platforms(&self) -> &'static [&'static str] {
        &PLATFORMS
    }
}

fn input_of(e: &Entry) -> EntryInput {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    EntryInput {
        kind: e.kind.clone(),
        occurred_on: e.occurred_on.clone(),
        municipality_code: s(&e.municipality_code),
        amount_yen: n(e.amount_yen),
        channel: s(&e.channel),
        products: s(&e.products),
        url: s(&e.url),
        platform: s(&e.platform),
        audience: n(e.audience),
        note: s(&e.note),
        evidence_url: s(&e.evidence_url),
    }
}

async fn owned_entry(st: &AppState, ctx: &Ctx, entry_id: i64) -> Result<Entry, AppError> {
    let entry = st.store.entry(entry_id).await?;
    let (_, access) = fan_for(st, ctx, entry.fan_id).await?;
    owner_only(&access)?;
    Ok(entry)
}

async fn edit_page(
    st: &AppState,
    ctx: &Ctx,
    entry: Entry,
    form: EntryInput,
    errors: FormErrors,
) -> Result<String, AppError> {
    let page = EditPage {
        c: PageCtx::new(ctx),
        entry,
        form,
        errors,
        municipalities: st.store.municipalities().await?,
        today: today_jst(),
    };
    Ok(page.render()?)
}

/// `GET /entries/{id}/edit`
pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let entry = owned_entry(&st, &ctx, id).await?;
    let form = input_of(&entry);
    Ok(Html(
        edit_page(&st, &ctx, entry, form, FormErrors::default()).await?,
    ))
}

/// `POST /entries/{id}`
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<EntryInput>,
) -> Result<Response, AppError> {
    let entry = owned_entry(&st, &ctx, id).await?;
    let saved = match NewEntry::parse(&input, &today_jst()) {
        Ok(e) => st.store.update_entry(entry.fan_id, id, &e).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/fans/{}?notice=saved", entry.fan_id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            let html = edit_page(
                &st,
                &ctx,
                entry,
                input,
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(StoreError::Conflict(code)) => {
            let html = edit_page(
                &st,
                &ctx,
                entry,
                input,
                FormErrors::one(ctx.tr, "entry", code),
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /entries/{id}/withdrawal`
pub async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let entry = owned_entry(&st, &ctx, id).await?;
    st.store.withdraw_entry(entry.fan_id, id).await?;
    Ok(Redirect::to(&format!("/fans/{}?notice=entry-withdrawn", entry.fan_id)).into_response())
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// `POST /entries/{id}/review` — coordinators of the entry's partnership.
pub async fn review(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let entry = st.store.entry(id).await?;
    let partnership = st.store.fan(entry.fan_id).await?.partnership_id;
    coordinator_side(&st, &ctx, partnership).await?;
    st.store
        .review_entry(
            ctx.person_id()?,
            id,
            &form.status,
            Some(form.reason.as_str()),
        )
        .await?;
    let back = super::auth::safe_next(&form.back);
    let back = if back.is_empty() {
        format!("/partnerships/{partnership}/entries")
    } else {
        back
    };
    Ok(Redirect::to(&format!(
        "{back}{}notice=saved",
        if back.contains('?') { '&' } else { '?' }
    ))
    .into_response())
}
