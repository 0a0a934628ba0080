//! Organisations: the list (by kind), a detail page, and the profile editor
//! open to the organisation's own staff and the partnership's coordinators.

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
use kizuna_domain::{OrgKind, OrganisationProfile};
use kizuna_store::organisations::Organisation;
use kizuna_store::partnerships::Partnership;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct ListPage {
    c: PageCtx,
    kind: String,
    kinds: Vec<&'static str>,
    orgs: Vec<Organisation>,
}

pub async fn index(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let kind = OrgKind::parse(&q.kind).ok().map(|k| k.as_str());
    let orgs = st.store.organisations(&ctx.viewer, kind).await?;
    let kinds = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
    Ok(Html(
        ListPage {
            c: PageCtx::new(&ctx),
            kind: kind.unwrap_or("").into(),
            kinds,
            orgs,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct DetailPage {
    c: PageCtx,
    o: Organisation,
    subsidiaries: Vec<Organisation>,
    partnerships: Vec<Partnership>,
    can_edit: bool,
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let o = st.store.organisation(&ctx.viewer, id).await?;
    let subsidiaries = st.store.subsidiaries(&ctx.viewer, id).await?;
    let partnerships = st
        .store
        .partnerships_for_organisation(&ctx.viewer, id)
        .await?;
    let can_edit = can_edit(&st, &ctx, id).await?;
    Ok(Html(
        DetailPage {
            c: PageCtx::new(&ctx),
            o,
            subsidiaries,
            partnerships,
            can_edit,
        }
        .render()?,
    ))
}

pub async fn can_edit(st: &AppState, ctx: &Ctx, id: i64) -> Result<bool, AppError> {
    if !ctx.viewer.is_signed_in() {
        return Ok(false);
    }
    let parts = st.store.partnerships_of_organisation(id).await?;
    Ok(ctx.viewer.can_edit_organisation(id, &parts))
}

/// Refuses with 401 for visitors and 403 for people without the right.
pub async fn require_edit(st: &AppState, ctx: &Ctx, id: i64) -> Result<(), AppError> {
    ctx.require_user()?;
    if can_edit(st, ctx, id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    website: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "organisation_edit.html")]
struct EditPage {
    c: PageCtx,
    o: Organisation,
    form: ProfileForm,
    errors: FormErrors,
}

pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let o = st.store.organisation(&ctx.viewer, id).await?;
    require_edit(&st, &ctx, id).await?;
    let form = ProfileForm {
        website: o.website.clone().unwrap_or_default(),
        description: o.description.clone().unwrap_or_default(),
    };
    Ok(Html(
        EditPage {
            c: PageCtx::new(&ctx),
            o,
            form,
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let o = st.store.organisation(&ctx.viewer, id).await?;
    require_edit(&st, &ctx, id).await?;
    match OrganisationProfile::parse(&form.website, &form.description) {
        Ok(profile) => {
            st.store
                .update_organisation_profile(ctx.person_id()?, id, &profile)
                .await?;
            Ok(Redirect::to(&format!("/organisations/{id}?notice=saved")).into_response())
        }
        Err(e) => {
            let page = EditPage {
                c: PageCtx::new(&ctx),
                o,
                form,
                errors: FormErrors::from_validation(ctx.tr, &e),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}
