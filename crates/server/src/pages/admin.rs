//! Administration: people and their roles, a partnership's pillars, the
//! audit log. Instance administrators see everyone; a partnership's
//! administrators see and manage only their own partnerships.

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
use kizuna_domain::{Email, PillarKey, Role, RoleAssignment, ValidationError};
use kizuna_store::StoreError;
use kizuna_store::audit::AuditEntry;
use kizuna_store::partnerships::{Partnership, Party, Pillar};
use kizuna_store::roles::{AssignedRole, PersonWithRoles};
use serde::Deserialize;

/// Signed in and allowed into at least some admin screen.
fn require_admin(ctx: &Ctx) -> Result<(), AppError> {
    ctx.require_user()?;
    if ctx.viewer.can_open_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
}

#[derive(Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    partnership_id: i64,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    c: PageCtx,
    q: String,
    people: Vec<PersonWithRoles>,
    roles: Vec<AssignedRole>,
    partnerships: Vec<Partnership>,
    organisations: Vec<Party>,
    role_names: Vec<&'static str>,
    all_parties: Vec<Party>,
    form: AssignForm,
    errors: FormErrors,
    is_instance_admin: bool,
}

async fn people_page(
    st: &AppState,
    ctx: &Ctx,
    q: String,
    form: AssignForm,
    errors: FormErrors,
) -> Result<String, AppError> {
    let partnerships: Vec<Partnership> = st
        .store
        .partnerships(&ctx.viewer)
        .await?
        .into_iter()
        .filter(|p| ctx.viewer.can_administer(p.id))
        .collect();
    // Every party of the partnerships the viewer administers, once.
    let mut all_parties: Vec<Party> = Vec::new();
    for p in &partnerships {
        for party in st.store.parties(p.id).await? {
            if !all_parties
                .iter()
                .any(|o| o.organisation_id == party.organisation_id)
            {
                all_parties.push(party);
            }
        }
    }
    // Municipal staff are bound to a local government or a school.
    let organisations = all_parties
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "municipality" | "school" | "prefecture"))
        .cloned()
        .collect();
    let page = PeoplePage {
        c: PageCtx::new(ctx),
        people: st.store.people_for_admin(&ctx.viewer, &q).await?,
        roles: st.store.roles_for_admin(&ctx.viewer).await?,
        q,
        partnerships,
        organisations,
        all_parties,
        role_names: Role::ALL.iter().map(|r| r.as_str()).collect(),
        form,
        errors,
        is_instance_admin: ctx.viewer.is_instance_admin,
    };
    Ok(page.render()?)
}

pub async fn people(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PeopleQuery>,
) -> Result<Html<String>, AppError> {
    require_admin(&ctx)?;
    Ok(Html(
        people_page(&st, &ctx, q.q, AssignForm::default(), FormErrors::default()).await?,
    ))
}

pub async fn assign_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    require_admin(&ctx)?;
    match try_assign(&st, &ctx, &form).await {
        Ok(()) => Ok(Redirect::to("/admin?notice=role-added").into_response()),
        Err(AppError::Invalid(e)) => {
            let html = people_page(
                &st,
                &ctx,
                String::new(),
                form,
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(AppError::Conflict(code)) => {
            let html = people_page(
                &st,
                &ctx,
                String::new(),
                form,
                FormErrors::one(ctx.tr, "role", code),
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn try_assign(st: &AppState, ctx: &Ctx, form: &AssignForm) -> Result<(), AppError> {
    if !ctx.viewer.can_administer(form.partnership_id) {
        return Err(AppError::Forbidden);
    }
    let email = Email::parse(&form.email)?;
    let person = st
        .store
        .person_by_email(email.as_str())
        .await?
        .ok_or(ValidationError::new("email", "unknown_person"))?;
    let role = Role::parse(&form.role)?;
    let org = match form.organisation_id.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| ValidationError::new("organisation_id", "unknown_organisation"))?,
        ),
    };
    let assignment = RoleAssignment::new(form.partnership_id, role, org)?;
    if let Some(o) = org
        && !st
            .store
            .partnerships_of_organisation(o)
            .await?
            .contains(&form.partnership_id)
    {
        return Err(
            ValidationError::new("organisation_id", "organisation_not_in_partnership").into(),
        );
    }
    st.store
        .assign_role(ctx.viewer.person_id, person.id, &assignment)
        .await?;
    Ok(())
}

pub async fn revoke_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_admin(&ctx)?;
    let partnership = st.store.role_assignment_partnership(id).await?;
    if !ctx.viewer.can_administer(partnership) {
        return Err(AppError::Forbidden);
    }
    st.store.revoke_role(ctx.person_id()?, id).await?;
    Ok(Redirect::to("/admin?notice=role-removed").into_response())
}

#[derive(Template)]
#[template(path = "admin_pillars.html")]
struct PillarsPage {
    c: PageCtx,
    p: Partnership,
    pillars: Vec<Pillar>,
    errors: FormErrors,
}

async fn pillars_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> Result<String, AppError> {
    require_admin(ctx)?;
    if !ctx.viewer.can_administer(id) {
        return Err(AppError::Forbidden);
    }
    let p = st.store.partnership(&ctx.viewer, id).await?;
    Ok(PillarsPage {
        c: PageCtx::new(ctx),
        pillars: st.store.pillars(id).await?,
        p,
        errors,
    }
    .render()?)
}

pub async fn pillars(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        pillars_page(&st, &ctx, id, FormErrors::default()).await?,
    ))
}

#[derive(Deserialize)]
pub struct PillarForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    name_en: String,
}

pub async fn save_pillar(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<PillarForm>,
) -> Result<Response, AppError> {
    pillars_page(&st, &ctx, id, FormErrors::default()).await?;
    let saved = match PillarKey::parse(&form.key) {
        Ok(key) => {
            st.store
                .save_pillar(ctx.person_id()?, id, &key, &form.name_ja, &form.name_en)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match saved {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/partnerships/{id}/pillars?notice=saved")).into_response(),
        ),
        Err(StoreError::Invalid(e)) => {
            let html = pillars_page(&st, &ctx, id, FormErrors::from_validation(ctx.tr, &e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_pillar(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, pillar)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    pillars_page(&st, &ctx, id, FormErrors::default()).await?;
    st.store.delete_pillar(ctx.person_id()?, id, pillar).await?;
    Ok(Redirect::to(&format!("/admin/partnerships/{id}/pillars?notice=saved")).into_response())
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    c: PageCtx,
    entries: Vec<AuditEntry>,
}

pub async fn audit(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require_user()?;
    if !ctx.viewer.is_instance_admin {
        return Err(AppError::Forbidden);
    }
    Ok(Html(
        AuditPage {
            c: PageCtx::new(&ctx),
            entries: st.store.recent_audit(200).await?,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct MembershipForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation_id: i64,
    #[serde(default)]
    department: String,
}

/// `POST /admin/memberships`: records that a person belongs to an
/// organisation (with their department), for administrators of a
/// partnership the organisation is part of.
pub async fn add_membership(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<MembershipForm>,
) -> Result<Response, AppError> {
    require_admin(&ctx)?;
    let parts = st
        .store
        .partnerships_of_organisation(form.organisation_id)
        .await?;
    if !ctx.viewer.is_instance_admin && !parts.iter().any(|p| ctx.viewer.can_administer(*p)) {
        return Err(AppError::Forbidden);
    }
    let outcome = async {
        let email = Email::parse(&form.email)?;
        let person = st
            .store
            .person_by_email(email.as_str())
            .await?
            .ok_or(ValidationError::new("email", "unknown_person"))?;
        let department = kizuna_domain::error::optional_text("department", &form.department, 100)?;
        st.store
            .add_membership(
                ctx.viewer.person_id,
                person.id,
                form.organisation_id,
                department.as_deref(),
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin?notice=saved").into_response()),
        Err(AppError::Invalid(e)) => {
            let html = people_page(
                &st,
                &ctx,
                String::new(),
                AssignForm::default(),
                FormErrors::from_validation(ctx.tr, &e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}
