//! Administrators register organisations and partnerships and add
//! organisations to a partnership. Instance administrators may do all of
//! it; a partnership's administrators and coordinators add organisations
//! to their own partnership.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::organisation::OrganisationInput;
use kizuna_domain::{NewOrganisation, OrgKind, PartnershipDraft, ValidationError};
use kizuna_store::StoreError;
use kizuna_store::organisations::Organisation;
use kizuna_store::partnerships::{NewPartnership, Partnership};
use serde::Deserialize;

#[derive(Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_kana: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    local_gov_code: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    partnership_id: String,
}

#[derive(Template)]
#[template(path = "admin_organisation_new.html")]
struct OrgPage {
    c: PageCtx,
    form: OrgForm,
    errors: FormErrors,
    kinds: Vec<&'static str>,
    companies: Vec<Organisation>,
    partnerships: Vec<Partnership>,
}

/// Partnerships whose organisations the viewer may manage.
async fn managed(st: &AppState, ctx: &Ctx) -> Result<Vec<Partnership>, AppError> {
    ctx.require_user()?;
    let list: Vec<Partnership> = st
        .store
        .partnerships(&ctx.viewer)
        .await?
        .into_iter()
        .filter(|p| ctx.viewer.can_coordinate(p.id))
        .collect();
    if list.is_empty() && !ctx.viewer.is_instance_admin {
        return Err(AppError::Forbidden);
    }
    Ok(list)
}

async fn org_page(
    st: &AppState,
    ctx: &Ctx,
    form: OrgForm,
    errors: FormErrors,
) -> Result<String, AppError> {
    let partnerships = managed(st, ctx).await?;
    let page = OrgPage {
        c: PageCtx::new(ctx),
        form,
        errors,
        kinds: OrgKind::ALL.iter().map(|k| k.as_str()).collect(),
        companies: st.store.organisations(&ctx.viewer, Some("company")).await?,
        partnerships,
    };
    Ok(page.render()?)
}

pub async fn new_organisation(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        org_page(&st, &ctx, OrgForm::default(), FormErrors::default()).await?,
    ))
}

pub async fn create_organisation(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<OrgForm>,
) -> Result<Response, AppError> {
    let partnerships = managed(&st, &ctx).await?;
    let result = async {
        let partnership = match form.partnership_id.trim() {
            "" if ctx.viewer.is_instance_admin => None,
            "" => {
                return Err(StoreError::Invalid(ValidationError::new(
                    "partnership_id",
                    "required",
                )));
            }
            s => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|p| partnerships.iter().any(|x| x.id == *p))
                    .ok_or(StoreError::Invalid(ValidationError::new(
                        "partnership_id",
                        "unknown_partnership",
                    )))?,
            ),
        };
        let parent_id = match form.parent_id.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| {
                StoreError::Invalid(ValidationError::new("parent_id", "parent_must_be_company"))
            })?),
        };
        let input = OrganisationInput {
            kind: form.kind.clone(),
            name: form.name.clone(),
            name_kana: form.name_kana.clone(),
            name_en: form.name_en.clone(),
            local_gov_code: form.local_gov_code.clone(),
            parent_id,
            website: form.website.clone(),
            description: form.description.clone(),
        };
        let org = NewOrganisation::parse(&input)?;
        st.store
            .create_organisation_in(ctx.viewer.person_id, &org, partnership)
            .await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/organisations/{id}?notice=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let html = org_page(&st, &ctx, form, FormErrors::from_validation(ctx.tr, &e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(StoreError::Conflict(code)) => {
            let html = org_page(
                &st,
                &ctx,
                form,
                FormErrors::one(ctx.tr, "local_gov_code", code),
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct PartnershipForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    signed_on: String,
}

#[derive(Template)]
#[template(path = "admin_partnership_new.html")]
struct PartnershipPage {
    c: PageCtx,
    form: PartnershipForm,
    errors: FormErrors,
}

fn require_instance_admin(ctx: &Ctx) -> Result<(), AppError> {
    ctx.require_user()?;
    if ctx.viewer.is_instance_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn new_partnership(ctx: Ctx) -> Result<Html<String>, AppError> {
    require_instance_admin(&ctx)?;
    let form = PartnershipForm {
        visibility: "public".into(),
        ..Default::default()
    };
    Ok(Html(
        PartnershipPage {
            c: PageCtx::new(&ctx),
            form,
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

pub async fn create_partnership(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PartnershipForm>,
) -> Result<Response, AppError> {
    require_instance_admin(&ctx)?;
    match PartnershipDraft::parse(
        &form.name,
        &form.name_en,
        &form.description,
        &form.visibility,
        &form.signed_on,
    ) {
        Ok(d) => {
            let new = NewPartnership {
                name: &d.name,
                name_en: d.name_en.as_deref(),
                description: d.description.as_deref(),
                visibility: d.visibility,
                signed_on: d.signed_on.as_deref(),
            };
            let id = st
                .store
                .create_partnership(ctx.viewer.person_id, &new, &[])
                .await?;
            Ok(Redirect::to(&format!("/partnerships/{id}?notice=saved")).into_response())
        }
        Err(e) => {
            let page = PartnershipPage {
                c: PageCtx::new(&ctx),
                form,
                errors: FormErrors::from_validation(ctx.tr, &e),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct PartyForm {
    #[serde(default)]
    organisation_id: i64,
}

/// Adds an organisation the viewer can see to a partnership they coordinate.
pub async fn add_party(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<PartyForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    if !ctx.viewer.can_coordinate(id) {
        return Err(AppError::Forbidden);
    }
    st.store
        .organisation(&ctx.viewer, form.organisation_id)
        .await?;
    st.store
        .add_party(ctx.viewer.person_id, id, form.organisation_id)
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}?notice=saved")).into_response())
}
